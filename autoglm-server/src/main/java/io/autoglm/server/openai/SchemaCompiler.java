package io.autoglm.server.openai;

/**
 * Turns a JSON Schema into a GBNF grammar whose sentences are the JSON texts valid against it: the
 * seam through which {@code response_format: json_schema} and forced tool calls constrain the output.
 */
@FunctionalInterface
public interface SchemaCompiler {
    /**
     * @param schemaJson a JSON Schema as JSON text
     * @return a GBNF grammar with root rule {@code root}
     * @throws IllegalArgumentException naming the schema construct it cannot compile
     */
    String compile(String schemaJson);

    /** @return a compiler that refuses every schema (no JSON-Schema compiler is available in this build) */
    static SchemaCompiler unavailable() {
        return schema -> {
            throw new IllegalArgumentException("JSON Schema constraints are not available in this build "
                    + "(no JSON-Schema to grammar compiler); use response_format json_object, or tool_choice auto");
        };
    }
}

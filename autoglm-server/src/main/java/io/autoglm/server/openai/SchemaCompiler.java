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

    /**
     * @return the core compiler ({@link io.autoglm.grammar.JsonGrammars#forSchema(String)}): objects, arrays, enums,
     *     strings with length limits, numbers, integers, required/optional, {@code additionalProperties: false},
     *     {@code $ref}/{@code $defs}, {@code anyOf}; see docs/structured-output.md
     */
    static SchemaCompiler standard() {
        return io.autoglm.grammar.JsonGrammars::forSchema;
    }

    /** @return a compiler that refuses every schema */
    static SchemaCompiler unavailable() {
        return schema -> {
            throw new IllegalArgumentException("JSON Schema constraints are turned off on this server; "
                    + "use response_format json_object, or tool_choice auto");
        };
    }
}

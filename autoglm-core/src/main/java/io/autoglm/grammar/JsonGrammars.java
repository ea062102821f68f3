package io.autoglm.grammar;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Entry point for structured output: JSON Schema to llama.cpp GBNF grammar, with the default
 * settings (at most {@value JsonGrammarCompiler#DEFAULT_MAX_WHITESPACE} whitespace character
 * between tokens).
 *
 * <pre>{@code
 * String gbnf = JsonGrammars.forSchema("""
 *         {"type": "object",
 *          "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer", "minimum": 0, "maximum": 150}},
 *          "required": ["name", "age"], "additionalProperties": false}""");
 * Completion c = model.complete(CompletionRequest.builder().prompt(prompt).grammar(gbnf).maxTokens(64).build());
 * Map<String, Object> person = Json.parseObject(c.text());
 * }</pre>
 *
 * <p>See {@link JsonGrammarCompiler} for other settings, {@link ToolCallGrammar} for forced tool
 * calls, and docs/structured-output.md for what is supported.
 */
public final class JsonGrammars {
    private JsonGrammars() {
    }

    /**
     * @param schema a JSON Schema as a plain Java tree
     * @return GBNF text with root rule {@code root}
     * @throws UnsupportedSchemaException when the schema uses something the compiler cannot honour
     */
    public static String forSchema(Map<String, ?> schema) {
        return JsonGrammarCompiler.defaults().compile(schema);
    }

    /**
     * @param schemaJson a JSON Schema as JSON text
     * @return GBNF text with root rule {@code root}
     * @throws JsonParseException when the text is not JSON
     * @throws UnsupportedSchemaException when the schema uses something the compiler cannot honour
     */
    public static String forSchema(String schemaJson) {
        return JsonGrammarCompiler.defaults().compile(schemaJson);
    }

    /** @return a grammar for any JSON object (OpenAI's {@code response_format: {"type": "json_object"}}) */
    public static String anyJsonObject() {
        return JsonGrammarCompiler.defaults().anyJsonObject();
    }

    /** @return a grammar for any JSON value */
    public static String anyJsonValue() {
        return JsonGrammarCompiler.defaults().anyJsonValue();
    }

    /** @return a builder for a compiler with other settings (whitespace bound) */
    public static JsonGrammarCompiler.Builder compiler() {
        return JsonGrammarCompiler.builder();
    }

    /** @return a builder for a forced tool-call grammar and its parser */
    public static ToolCallGrammar.Builder toolCalls() {
        return ToolCallGrammar.builder();
    }

    /**
     * Checks a value against a schema: every keyword the compiler supports, and also pattern,
     * uniqueItems, multipleOf and not; unknown keywords are ignored. Use it on output that did not
     * come from the schema's grammar, or to double-check output that did.
     *
     * @param schema a JSON Schema as a plain Java tree ({@code $ref}s resolve inside it)
     * @param value a plain Java JSON value (as {@link Json#parse(String)} returns)
     * @return one line per violation ({@code /pointer: what is wrong}), at most 20; empty when valid
     */
    public static List<String> validate(Map<String, ?> schema, Object value) {
        Objects.requireNonNull(schema, "schema");
        return SchemaValidator.validate(schema, schema, value);
    }
}

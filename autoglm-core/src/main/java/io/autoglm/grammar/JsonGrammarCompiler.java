package io.autoglm.grammar;

import java.util.Map;
import java.util.Objects;

/**
 * Compiles JSON Schemas into llama.cpp GBNF grammars whose root rule is {@code root}. Immutable and
 * thread-safe; {@link JsonGrammars} has static shortcuts with the default settings.
 *
 * <pre>{@code
 * JsonGrammarCompiler compact = JsonGrammarCompiler.builder().maxWhitespace(0).build();
 * String gbnf = compact.compile(Json.parseObject("""
 *         {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40}}, "required": ["city"]}"""));
 * Completion c = model.complete(CompletionRequest.builder().prompt(prompt).grammar(gbnf).maxTokens(64).build());
 * }</pre>
 *
 * <p>What is supported and what is refused is listed in docs/structured-output.md; a schema the
 * compiler cannot honour exactly gives an {@link UnsupportedSchemaException} naming the JSON
 * pointer of the offending keyword.
 */
public final class JsonGrammarCompiler {
    /** Default {@link Builder#maxWhitespace(int)}: one whitespace character between tokens. */
    public static final int DEFAULT_MAX_WHITESPACE = 1;
    /** Largest {@link Builder#maxWhitespace(int)}. */
    public static final int MAX_WHITESPACE_LIMIT = 64;

    private static final JsonGrammarCompiler DEFAULT = builder().build();

    private final int maxWhitespace;

    private JsonGrammarCompiler(Builder b) {
        this.maxWhitespace = b.maxWhitespace;
    }

    /** @return a builder with the default settings */
    public static Builder builder() {
        return new Builder();
    }

    static JsonGrammarCompiler defaults() {
        return DEFAULT;
    }

    /** @return the most whitespace characters allowed between two JSON tokens */
    public int maxWhitespace() {
        return maxWhitespace;
    }

    /**
     * @param schema a JSON Schema as a plain Java tree (Map/List/String/Number/Boolean/null)
     * @return GBNF text with root rule {@code root}: exactly one JSON value valid against the schema
     * @throws UnsupportedSchemaException when the schema uses something the compiler cannot honour
     */
    public String compile(Map<String, ?> schema) {
        Objects.requireNonNull(schema, "schema");
        return compileDocument(schema);
    }

    /**
     * @param schemaJson a JSON Schema as JSON text ({@code true} and {@code false} are schemas too)
     * @return GBNF text with root rule {@code root}
     * @throws JsonParseException when the text is not JSON
     * @throws UnsupportedSchemaException when the schema uses something the compiler cannot honour
     */
    public String compile(String schemaJson) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        return compileDocument(Json.parse(schemaJson));
    }

    /** @return a grammar for any JSON object (OpenAI's {@code response_format: json_object}) */
    public String anyJsonObject() {
        Rules rules = new Rules();
        String root = rules.reserve("root", "");
        JsonRules json = new JsonRules(rules, maxWhitespace);
        rules.define(root, json.anyObject(), "");
        return rules.render(root);
    }

    /** @return a grammar for any JSON value */
    public String anyJsonValue() {
        Rules rules = new Rules();
        String root = rules.reserve("root", "");
        JsonRules json = new JsonRules(rules, maxWhitespace);
        rules.define(root, json.value(), "");
        return rules.render(root);
    }

    private String compileDocument(Object schema) {
        return compileWithBound(schema).gbnf();
    }

    /** A grammar and the most UTF-8 bytes its output can have ({@link Rules#UNBOUNDED} if unbounded). */
    record Compiled(String gbnf, long maxBytes) {
    }

    Compiled compileWithBound(Object schema) {
        Rules rules = new Rules();
        String root = rules.reserve("root", "");
        JsonRules json = new JsonRules(rules, maxWhitespace);
        rules.define(root, new SchemaCompilation(schema, json, "").compileDocument(), "");
        String gbnf = rules.render(root);
        return new Compiled(gbnf, rules.maxBytes(root));
    }

    @Override
    public String toString() {
        return "JsonGrammarCompiler[maxWhitespace=" + maxWhitespace + "]";
    }

    /** Builder for {@link JsonGrammarCompiler}. */
    public static final class Builder {
        private int maxWhitespace = DEFAULT_MAX_WHITESPACE;

        private Builder() {
        }

        /**
         * @param n the most whitespace characters (space, tab, newline) allowed between two JSON
         *        tokens, 0 to {@value JsonGrammarCompiler#MAX_WHITESPACE_LIMIT}; 0 gives compact JSON. The bound keeps a
         *        small model from looping on whitespace forever.
         * @return this
         */
        public Builder maxWhitespace(int n) {
            if (n < 0 || n > MAX_WHITESPACE_LIMIT) {
                throw new IllegalArgumentException("maxWhitespace must be between 0 and " + MAX_WHITESPACE_LIMIT + ", was " + n);
            }
            this.maxWhitespace = n;
            return this;
        }

        /** @return the compiler */
        public JsonGrammarCompiler build() {
            return new JsonGrammarCompiler(this);
        }
    }
}

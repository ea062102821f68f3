package io.autoglm.grammar;

import static io.autoglm.grammar.Expr.alt;
import static io.autoglm.grammar.Expr.lit;
import static io.autoglm.grammar.Expr.seq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A grammar that forces a model to call tools, and the parser that reads the calls back.
 *
 * <p>One call is written as {@code {"name": "<tool>", "arguments": {...}}}, the arguments valid
 * against that tool's parameter schema. With {@link Builder#maxCalls(int) maxCalls} 1 (the
 * default) the output is exactly one such object; with more, it is a JSON array of 1 to maxCalls
 * of them. {@link Builder#forceTool(String)} restricts the calls to one tool (OpenAI's named
 * {@code tool_choice}); otherwise any of the tools may be called ({@code tool_choice: "required"}).
 *
 * <pre>{@code
 * ToolCallGrammar tools = ToolCallGrammar.builder()
 *         .tool("get_weather", Json.parseObject("""
 *                 {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40}},
 *                  "required": ["city"], "additionalProperties": false}"""))
 *         .build();
 * Completion c = model.complete(CompletionRequest.builder().prompt(prompt).grammar(tools.grammar()).maxTokens(80).build());
 * List<ToolCall> calls = tools.parse(c.text());   // [ToolCall[name=get_weather, arguments={city=Paris}]]
 * }</pre>
 */
public final class ToolCallGrammar {
    /** Largest {@link Builder#maxCalls(int)}. */
    public static final int MAX_CALLS_LIMIT = 64;

    private final Map<String, Object> tools;
    private final String forced;
    private final int maxCalls;
    private final String grammar;
    private final long maxBytes;

    private ToolCallGrammar(Builder b) {
        this.tools = new LinkedHashMap<>(b.tools);
        this.forced = b.forced;
        this.maxCalls = b.maxCalls;
        JsonGrammarCompiler.Compiled c = compile(b.maxWhitespace);
        this.grammar = c.gbnf();
        this.maxBytes = c.maxBytes();
    }

    /** @return the most UTF-8 bytes an output can have, {@link Rules#UNBOUNDED} when unbounded */
    long maxBytes() {
        return maxBytes;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the GBNF grammar (root rule {@code root}) */
    public String grammar() {
        return grammar;
    }

    /** @return the tool names, in the order they were added */
    public List<String> toolNames() {
        return List.copyOf(tools.keySet());
    }

    /** @return the most calls one output may hold; above 1 the output is a JSON array */
    public int maxCalls() {
        return maxCalls;
    }

    private JsonGrammarCompiler.Compiled compile(int maxWhitespace) {
        Rules rules = new Rules();
        String root = rules.reserve("root", "");
        JsonRules json = new JsonRules(rules, maxWhitespace);
        Expr w = json.ws();
        List<Expr> calls = new ArrayList<>();
        for (Map.Entry<String, Object> t : tools.entrySet()) {
            if (forced != null && !forced.equals(t.getKey())) {
                continue;
            }
            String prefix = Rules.sanitize(t.getKey()) + "-args";
            Expr args;
            try {
                args = new SchemaCompilation(t.getValue(), json, prefix).compileDocument();
            } catch (UnsupportedSchemaException e) {
                throw new UnsupportedSchemaException("parameter schema of tool '" + t.getKey() + "'", e.pointer(), e.reason());
            }
            StringBuilder name = new StringBuilder();
            JsonWriter.string(t.getKey(), name, "");
            Expr call = seq(lit("{"), w, lit("\"name\""), w, lit(":"), w, lit(name.toString()), w, lit(","), w,
                    lit("\"arguments\""), w, lit(":"), w, args, w, lit("}"));
            calls.add(rules.named(Rules.sanitize(t.getKey()) + "-call", call, ""));
        }
        Expr call = rules.named("call", alt(calls), "");
        Expr body = call;
        if (maxCalls > 1) {
            Expr more = seq(lit(","), w, call, w);
            body = seq(lit("["), w, call, w, rules.repeat(more, 0, maxCalls - 1, "more-calls", ""), lit("]"));
        }
        rules.define(root, body, "");
        String gbnf = rules.render(root);
        return new JsonGrammarCompiler.Compiled(gbnf, rules.maxBytes(root));
    }

    /**
     * Parses model output written under {@link #grammar()} (a single call object, or an array of
     * them) and checks each call: a known (or the forced) tool, arguments valid against its schema.
     *
     * @param text the generated text
     * @return the calls, in order (at least one)
     * @throws InvalidToolCallException when the text is not valid tool-call JSON; {@code truncated()}
     *         tells output that merely ended early
     */
    @SuppressWarnings("unchecked")
    public List<ToolCall> parse(String text) {
        Objects.requireNonNull(text, "text");
        Object v;
        try {
            v = Json.parse(text);
        } catch (JsonParseException e) {
            throw new InvalidToolCallException("tool call output is not valid JSON: " + e.getMessage(), e.truncated());
        }
        if (v == null) {
            throw new InvalidToolCallException("tool call output is null, expected an object or an array of objects", false);
        }
        List<Object> items = v instanceof List<?> l ? (List<Object>) l : List.of(v);
        if (items.isEmpty() || items.size() > maxCalls) {
            throw new InvalidToolCallException("tool call output has " + items.size() + " calls, expected 1 to " + maxCalls, false);
        }
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(call(items.get(i), items.size() == 1 && !(v instanceof List<?>) ? "" : "/" + i));
        }
        return List.copyOf(out);
    }

    @SuppressWarnings("unchecked")
    private ToolCall call(Object item, String at) {
        if (!(item instanceof Map<?, ?> m)) {
            throw new InvalidToolCallException(label(at) + " is a " + Json.typeName(item) + ", expected an object "
                    + "{\"name\": ..., \"arguments\": {...}}", false);
        }
        for (Object k : m.keySet()) {
            if (!k.equals("name") && !k.equals("arguments")) {
                throw new InvalidToolCallException(label(at) + " has an unexpected member '" + k
                        + "' (only name and arguments)", false);
            }
        }
        if (!(m.get("name") instanceof String name)) {
            throw new InvalidToolCallException(label(at) + " has no string 'name'", false);
        }
        if (!tools.containsKey(name) || (forced != null && !forced.equals(name))) {
            throw new InvalidToolCallException(label(at) + " names unknown tool '" + name + "' (expected "
                    + (forced != null ? forced : String.join(", ", tools.keySet())) + ")", false);
        }
        if (!(m.get("arguments") instanceof Map<?, ?> args)) {
            throw new InvalidToolCallException(label(at) + " to '" + name + "' has no 'arguments' object", false);
        }
        Object schema = tools.get(name);
        List<String> violations = SchemaValidator.validate(schema, schema, args);
        if (!violations.isEmpty()) {
            throw new InvalidToolCallException("arguments of " + label(at) + " to '" + name + "' break its schema: "
                    + String.join("; ", violations), false);
        }
        return new ToolCall(name, (Map<String, Object>) args);
    }

    private static String label(String at) {
        return at.isEmpty() ? "tool call" : "tool call #" + at.substring(1);
    }

    @Override
    public String toString() {
        return "ToolCallGrammar[tools=" + tools.keySet() + (forced != null ? ", forced=" + forced : "") + ", maxCalls=" + maxCalls + "]";
    }

    /** Builder for {@link ToolCallGrammar}; {@link #build()} compiles every parameter schema. */
    public static final class Builder {
        private final Map<String, Object> tools = new LinkedHashMap<>();
        private String forced;
        private int maxCalls = 1;
        private int maxWhitespace = JsonGrammarCompiler.DEFAULT_MAX_WHITESPACE;

        private Builder() {
        }

        /**
         * @param name the tool's name, 1 to 256 characters, unique
         * @param parameters the JSON Schema of its arguments (an object schema), or {@code null} for none
         * @return this
         */
        public Builder tool(String name, Map<String, ?> parameters) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.length() > 256) {
                throw new IllegalArgumentException("tool name must be 1 to 256 characters, was " + name.length());
            }
            if (tools.containsKey(name)) {
                throw new IllegalArgumentException("tool name '" + name + "' is used twice");
            }
            tools.put(name, objectSchema(name, parameters));
            return this;
        }

        /**
         * @param name the tool's name
         * @param parametersJson the JSON Schema of its arguments as JSON text
         * @return this
         * @throws JsonParseException when the text is not a JSON object
         */
        public Builder tool(String name, String parametersJson) {
            return tool(name, Json.parseObject(Objects.requireNonNull(parametersJson, "parametersJson")));
        }

        /**
         * @param name the only tool the model may call (OpenAI's named {@code tool_choice}); {@code null}
         *        lets it call any tool
         * @return this
         */
        public Builder forceTool(String name) {
            this.forced = name;
            return this;
        }

        /**
         * @param n the most calls in one output, 1 to {@value #MAX_CALLS_LIMIT}; above 1 the output is
         *        a JSON array of 1 to n calls (parallel tool calls)
         * @return this
         */
        public Builder maxCalls(int n) {
            if (n < 1 || n > MAX_CALLS_LIMIT) {
                throw new IllegalArgumentException("maxCalls must be between 1 and " + MAX_CALLS_LIMIT + ", was " + n);
            }
            this.maxCalls = n;
            return this;
        }

        /**
         * @param n whitespace characters allowed between JSON tokens, 0 to
         *        {@value JsonGrammarCompiler#MAX_WHITESPACE_LIMIT} (see {@link JsonGrammarCompiler.Builder#maxWhitespace(int)})
         * @return this
         */
        public Builder maxWhitespace(int n) {
            JsonGrammarCompiler.builder().maxWhitespace(n); // same validation
            this.maxWhitespace = n;
            return this;
        }

        /**
         * @return the grammar and parser
         * @throws IllegalStateException when no tool was added, or the forced tool is not one of them
         * @throws UnsupportedSchemaException when a parameter schema cannot be compiled
         */
        public ToolCallGrammar build() {
            if (tools.isEmpty()) {
                throw new IllegalStateException("no tools: add at least one with tool(name, parameters)");
            }
            if (forced != null && !tools.containsKey(forced)) {
                throw new IllegalStateException("forceTool('" + forced + "') names no added tool (tools: "
                        + String.join(", ", tools.keySet()) + ")");
            }
            return new ToolCallGrammar(this);
        }

        /**
         * Copies the schema (so later changes to the caller's map do not matter, and values that are
         * not JSON are refused now). Tool arguments are always an object: a schema without
         * {@code type} gets {@code "type": "object"}.
         */
        @SuppressWarnings("unchecked")
        private static Object objectSchema(String name, Map<String, ?> given) {
            Map<String, ?> parameters = given == null ? null : (Map<String, ?>) Json.parse(Json.write(given), Json.MAX_DEPTH_LIMIT);
            if (parameters == null || parameters.isEmpty()) {
                Map<String, Object> empty = new LinkedHashMap<>();
                empty.put("type", "object");
                empty.put("properties", Map.of());
                empty.put("additionalProperties", false);
                return empty;
            }
            Object type = parameters.get("type");
            if (type == null) {
                Map<String, Object> copy = new LinkedHashMap<>(parameters);
                copy.put("type", "object");
                return copy;
            }
            boolean object = "object".equals(type) || (type instanceof List<?> l && l.contains("object"));
            if (!object) {
                throw new UnsupportedSchemaException("parameter schema of tool '" + name + "'", "/type",
                        "tool parameters must describe an object, found type " + type);
            }
            if (type instanceof List<?>) {
                Map<String, Object> copy = new LinkedHashMap<>(parameters);
                copy.put("type", "object");
                return copy;
            }
            return parameters;
        }
    }
}

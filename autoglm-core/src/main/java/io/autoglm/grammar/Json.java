package io.autoglm.grammar;

import java.util.Objects;

/**
 * A small, strict JSON reader and writer over plain Java values, so schemas can be passed as text
 * and model output can be checked without a JSON library.
 *
 * <p>The Java tree uses {@code Map<String, Object>} (insertion-ordered, unmodifiable when read),
 * {@code List<Object>}, {@code String}, {@code Number} ({@code Long} for integers that fit,
 * {@code BigInteger} for larger ones, {@code Double} for numbers with a fraction or exponent),
 * {@code Boolean} and {@code null}.
 *
 * <pre>{@code
 * Map<String, Object> args = Json.parseObject("{\"city\": \"Paris\", \"days\": 3}");
 * String text = Json.write(Map.of("ok", true));   // {"ok":true}
 * }</pre>
 *
 * <p>The reader follows RFC 8259 strictly: no comments, trailing commas, leading zeros, NaN,
 * raw control characters, unpaired surrogates or duplicate keys; nesting is limited (default
 * {@value #DEFAULT_MAX_DEPTH}), and so is the length of a number literal.
 */
public final class Json {
    /** Default nesting limit of {@link #parse(String)} and {@link #write(Object)}. */
    public static final int DEFAULT_MAX_DEPTH = 256;
    /** Largest nesting limit a caller may ask for (deeper recursion risks the thread's stack). */
    public static final int MAX_DEPTH_LIMIT = 2048;

    private Json() {
    }

    /**
     * @param text JSON text
     * @return the value as a plain Java tree
     * @throws JsonParseException when the text is not one valid JSON value (the message gives the
     *         offset; {@link JsonParseException#truncated()} tells text that ends early)
     */
    public static Object parse(String text) {
        return parse(text, DEFAULT_MAX_DEPTH);
    }

    /**
     * @param text JSON text
     * @param maxDepth the deepest nesting of objects and arrays allowed, 1 to {@value #MAX_DEPTH_LIMIT}
     * @return the value as a plain Java tree
     * @throws JsonParseException when the text is not one valid JSON value or nests deeper than {@code maxDepth}
     */
    public static Object parse(String text, int maxDepth) {
        Objects.requireNonNull(text, "text");
        checkDepth(maxDepth);
        return new JsonReader(text, maxDepth).readDocument();
    }

    /**
     * @param text JSON text of an object
     * @return the object
     * @throws JsonParseException when the text is not valid JSON or not an object
     */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof java.util.Map<?, ?>)) {
            throw new JsonParseException("expected a JSON object, found " + typeName(v), 0, false);
        }
        return (java.util.Map<String, Object>) v;
    }

    /**
     * @param value a plain Java JSON tree (Map with String keys, List, String, Number, Boolean, null)
     * @return compact JSON text
     * @throws IllegalArgumentException for other types, non-finite numbers, unpaired surrogates, or
     *         nesting deeper than {@value #DEFAULT_MAX_DEPTH} (the message names the path)
     */
    public static String write(Object value) {
        return JsonWriter.write(value, DEFAULT_MAX_DEPTH);
    }

    /** @return the JSON type name of a plain Java JSON value, for messages */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "null";
            case Boolean b -> "boolean";
            case String s -> "string";
            case Number n -> JsonValues.isIntegral(n) ? "integer" : "number";
            case java.util.Map<?, ?> m -> "object";
            case java.util.List<?> l -> "array";
            default -> v.getClass().getSimpleName();
        };
    }

    private static void checkDepth(int maxDepth) {
        if (maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
            throw new IllegalArgumentException("maxDepth must be between 1 and " + MAX_DEPTH_LIMIT + ", was " + maxDepth);
        }
    }
}

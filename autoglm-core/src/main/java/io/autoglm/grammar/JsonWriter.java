package io.autoglm.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Writes a plain Java JSON tree as compact JSON text; refuses what JSON cannot represent. */
final class JsonWriter {
    private final int maxDepth;
    private final StringBuilder out = new StringBuilder();

    JsonWriter(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    static String write(Object value, int maxDepth) {
        JsonWriter w = new JsonWriter(maxDepth);
        w.value(value, "", 0);
        return w.out.toString();
    }

    private void value(Object v, String path, int depth) {
        if (depth > maxDepth) {
            throw new IllegalArgumentException("JSON value at '" + path + "' nests deeper than " + maxDepth
                    + " levels (a cyclic Map or List?)");
        }
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case String s -> string(s, out, path);
            case Number n -> number(n, path);
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new IllegalArgumentException("JSON object at '" + path + "' has a key that is not a String: "
                                + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    String child = path + "/" + JsonPointer.escape(k);
                    string(k, out, child);
                    out.append(':');
                    value(e.getValue(), child, depth + 1);
                }
                out.append('}');
            }
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    value(l.get(i), path + "/" + i, depth + 1);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("JSON value at '" + path + "' has unsupported type "
                    + v.getClass().getName() + " (use Map, List, String, Number, Boolean or null)");
        }
    }

    private void number(Number n, String path) {
        switch (n) {
            case Long l -> out.append(l);
            case Integer i -> out.append(i);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case BigInteger b -> out.append(b);
            case BigDecimal d -> out.append(d.toString());
            case Double d -> finite(d, path);
            case Float f -> finite(f.doubleValue(), path);
            default -> throw new IllegalArgumentException("JSON number at '" + path + "' has unsupported type "
                    + n.getClass().getName());
        }
    }

    private void finite(double d, String path) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON number at '" + path + "' must be finite, was " + d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d).append(".0");
        } else {
            out.append(d);
        }
    }

    /** Appends {@code s} as a JSON string literal; non-ASCII characters are written as they are. */
    static void string(String s, StringBuilder out, String path) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException("JSON string at '" + path + "' contains an unpaired surrogate U+"
                                + String.format("%04X", (int) c) + " at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON of decisions (Jackson). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Written by hand (a JSON array of strings), like {@link #contributions}: this runs once per payment. */
    static String reasons(Decision d) {
        StringBuilder b = new StringBuilder(128).append('[');
        for (String r : d.reasons()) {
            if (b.length() > 1) {
                b.append(',');
            }
            quote(b, r);
        }
        return b.append(']').toString();
    }

    /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Written by hand: feature names are identifiers and the numbers finite, and this runs once per payment. */
    static String contributions(Decision d) {
        StringBuilder b = new StringBuilder(256).append('[');
        for (Contribution c : d.contributions()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append("{\"feature\":\"").append(c.feature()).append("\",\"value\":").append(finite(c.value()))
                    .append(",\"contribution\":").append(finite(Math.round(c.contribution() * 1e4) / 1e4)).append('}');
        }
        return b.append(']').toString();
    }

    private static String finite(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    static ArrayNode contributionsNode(Decision d) {
        ArrayNode a = MAPPER.createArrayNode();
        for (Contribution c : d.contributions()) {
            ObjectNode o = a.addObject();
            o.put("feature", c.feature());
            o.put("value", c.value());
            o.put("contribution", Math.round(c.contribution() * 1e4) / 1e4);
        }
        return a;
    }

    static ObjectNode decision(Decision d) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("tx_id", d.txId());
        o.put("score", Math.round(d.score() * 1e6) / 1e6);
        o.put("action", d.action().name().toLowerCase(java.util.Locale.ROOT));
        o.set("reasons", MAPPER.valueToTree(d.reasons()));
        o.set("flags", MAPPER.valueToTree(d.flags()));
        o.set("contributions", contributionsNode(d));
        return o;
    }
}

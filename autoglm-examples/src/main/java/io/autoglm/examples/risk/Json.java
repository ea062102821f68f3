package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON of decisions (Jackson). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static String reasons(Decision d) {
        try {
            return MAPPER.writeValueAsString(d.reasons());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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

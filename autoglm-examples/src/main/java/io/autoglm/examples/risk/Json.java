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
        return MAPPER.valueToTree(d.reasons()).toString();
    }

    static String contributions(Decision d) {
        return contributionsNode(d).toString();
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

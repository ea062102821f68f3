package io.autoglm.examples.risk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Scores transactions given as JSON lines, one output line per input line: the decision, or
 * {@code {"line":N,"error":"..."}} for a line that could not be scored (malformed JSON, a missing or
 * invalid field, an unknown customer, a database that went away). A failed line writes nothing to
 * the database and the stream goes on. Blank lines are skipped.
 *
 * <p>Input fields: {@code tx_id} (integer), {@code user_id}, {@code ts} (epoch seconds),
 * {@code amount} (currency units), {@code merchant_id}, {@code category}, {@code channel},
 * {@code country} (ISO code), {@code lat}, {@code lon}, {@code device_id}; {@code continent} is
 * optional (derived from the country when absent).
 */
public final class ScoreStream {
    static final List<String> REQUIRED = List.of("tx_id", "user_id", "ts", "amount", "merchant_id", "category", "channel",
            "country", "lat", "lon", "device_id");

    private final OnlineScorer scorer;
    private final CaseNotes notes;

    /**
     * Counts of a run.
     *
     * @param scored lines scored
     * @param failed lines that failed
     */
    public record Summary(int scored, int failed) {
    }

    /**
     * @param db the database
     * @param model the serving models
     * @param version their version
     * @param rules the rules
     * @param notes case-note writer for review-queue decisions, or null
     */
    public ScoreStream(RiskDatabase db, ModelPair model, int version, RuleEngine rules, CaseNotes notes) {
        this.scorer = new OnlineScorer(db, model, version, rules);
        this.notes = notes;
    }

    /**
     * @param in JSON lines
     * @param out one JSON line per input line
     * @return the counts
     * @throws IOException when reading fails
     */
    public Summary run(BufferedReader in, PrintWriter out) throws IOException {
        int scored = 0;
        int failed = 0;
        int lineNo = 0;
        try (scorer) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                ObjectNode o;
                try {
                    Transaction tx = parse(line);
                    OnlineScorer.Result r = scorer.score(tx);
                    o = Json.decision(r.decision());
                    o.put("logistic_score", Math.round(r.logisticScore() * 1e6) / 1e6);
                    o.put("latency_ms", Math.round(r.nanos() / 1e3) / 1e3);
                    if (notes != null && r.decision().action() == Decision.Action.REVIEW) {
                        o.set("case_note", Json.MAPPER.readTree(notes.write(tx, r.decision()).json()));
                    }
                    o.put("line", lineNo);
                    scored++;
                } catch (ScoringException | IllegalArgumentException | IllegalStateException | NullPointerException e) {
                    o = Json.MAPPER.createObjectNode();
                    o.put("line", lineNo);
                    o.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                    failed++;
                }
                out.println(o.toString());
                out.flush();
            }
        }
        return new Summary(scored, failed);
    }

    /**
     * @param line one JSON object
     * @return the transaction
     * @throws IllegalArgumentException naming what is wrong
     */
    static Transaction parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("each line must be a JSON object, was " + (n == null ? "empty" : n.getNodeType()
                    .name().toLowerCase(Locale.ROOT)));
        }
        for (String f : REQUIRED) {
            if (!n.hasNonNull(f)) {
                throw new IllegalArgumentException("missing field '" + f + "'");
            }
        }
        long id = integer(n, "tx_id");
        long ts = integer(n, "ts");
        double amount = number(n, "amount");
        if (!(amount > 0 && amount < 1e13)) {
            throw new IllegalArgumentException("amount must be in (0, 1e13), was " + n.get("amount"));
        }
        String country = text(n, "country");
        String continent = n.hasNonNull("continent") ? text(n, "continent") : Geo.continentOf(country);
        if (continent == null) {
            throw new IllegalArgumentException("unknown country '" + country + "' and no 'continent' field; known: "
                    + Geo.BY_CODE.keySet().stream().sorted().toList());
        }
        return new Transaction(id, text(n, "user_id"), ts, Math.round(amount * 100), text(n, "merchant_id"),
                text(n, "category"), text(n, "channel"), country, continent, number(n, "lat"), number(n, "lon"),
                text(n, "device_id"));
    }

    private static long integer(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + f + "' must be an integer, was " + v);
        }
        return v.asLong();
    }

    private static double number(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("field '" + f + "' must be a number, was " + v);
        }
        return v.asDouble();
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + f + "' must be a string, was " + v);
        }
        return Objects.requireNonNull(v.asText());
    }
}

package io.autoglm.examples.risk;

import com.fasterxml.jackson.databind.JsonNode;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Short case notes for the review queue, written by a language model through the SDK. The prompt is
 * built from the decision's reasons and top SHAP contributions; a GBNF grammar forces the answer
 * into one JSON object with a summary, one to three main reasons and a suggested action, with
 * bounded string lengths so that it always completes within {@link #MAX_TOKENS} tokens.
 *
 * <pre>{@code
 * try (LanguageModel lm = AutoGLM.builder().model(Path.of("model.gguf")).contextSize(1024).build()) {
 *     CaseNotes notes = new CaseNotes(lm);
 *     CaseNotes.CaseNote n = notes.write(tx, decision);
 * }
 * }</pre>
 */
public final class CaseNotes {
    /** Tokens the grammar's longest answer fits in (each token is at least one character). */
    public static final int MAX_TOKENS = 256;

    /** The grammar of a case note. */
    public static final String GRAMMAR = """
            root ::= "{\\"summary\\":" long ",\\"main_reasons\\":[" short ("," short){0,2} "],\\"suggested_action\\":" action "}"
            long ::= "\\"" [a-zA-Z0-9 ,.]{1,48} "\\""
            short ::= "\\"" [a-zA-Z0-9 ,.]{1,24} "\\""
            action ::= "\\"approve\\"" | "\\"verify\\"" | "\\"reject\\"" | "\\"escalate\\""
            """;

    /** The actions a note may suggest. */
    public static final List<String> ACTIONS = List.of("approve", "verify", "reject", "escalate");

    private final LanguageModel model;

    /**
     * A case note.
     *
     * @param summary one sentence
     * @param mainReasons one to three short reasons
     * @param suggestedAction one of {@link #ACTIONS}
     * @param json the model's raw JSON
     */
    public record CaseNote(String summary, List<String> mainReasons, String suggestedAction, String json) {
        /** Copies the list. */
        public CaseNote {
            mainReasons = List.copyOf(mainReasons);
        }
    }

    /** @param model the language model (not closed by this class) */
    public CaseNotes(LanguageModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * @param tx the transaction
     * @param d its decision
     * @return the prompt built from the decision's reasons and contributions
     */
    public static String prompt(Transaction tx, Decision d) {
        StringBuilder b = new StringBuilder();
        b.append("You are a fraud analyst. Write a short case note as JSON.\n");
        b.append(String.format(Locale.ROOT, "Payment %d: %,.2f in %s via %s from %s. Score %.2f, action %s.%n", tx.txId(),
                tx.amount(), tx.category(), tx.channel(), tx.country(), d.score(),
                d.action().name().toLowerCase(Locale.ROOT)));
        b.append("Rules: ").append(String.join("; ", d.reasons())).append('\n');
        b.append("Top features (SHAP, log-odds): ");
        List<String> parts = new ArrayList<>();
        for (Contribution c : d.contributions()) {
            parts.add(String.format(Locale.ROOT, "%s=%s (%+.2f)", c.feature(), number(c.value()), c.contribution()));
        }
        b.append(String.join(", ", parts)).append("\nCase note: ");
        return b.toString();
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains("e") || !s.contains(".") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /**
     * Writes a note (greedy decoding, so the same input gives the same note).
     *
     * @param tx the transaction
     * @param d its decision
     * @return the note
     * @throws IllegalStateException if the model's output is not the JSON the grammar forces
     */
    public CaseNote write(Transaction tx, Decision d) {
        String text = model.complete(CompletionRequest.builder().prompt(prompt(tx, d)).grammar(GRAMMAR)
                .maxTokens(MAX_TOKENS).truncatePrompt(true).build()).text();
        try {
            JsonNode o = Json.MAPPER.readTree(text);
            List<String> reasons = new ArrayList<>();
            o.get("main_reasons").forEach(r -> reasons.add(r.asText()));
            return new CaseNote(o.get("summary").asText(), reasons, o.get("suggested_action").asText(), text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NullPointerException e) {
            throw new IllegalStateException("the case note is not the JSON the grammar forces: " + text, e);
        }
    }
}

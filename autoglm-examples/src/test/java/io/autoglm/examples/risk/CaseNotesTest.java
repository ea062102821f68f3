package io.autoglm.examples.risk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Case notes through the SDK: the tiny story model writes nonsense, but always the JSON the grammar forces. */
class CaseNotesTest {

    @Test
    void caseNote_isTheGrammarsJson_builtFromTheContributions() throws Exception {
        Transaction tx = new Transaction(42, "u000001", 1_736_000_000L, 123_456, "me1", "electronics", "online", "SG", "AS",
                1.3, 103.8, "fx7");
        List<Contribution> top = List.of(new Contribution("new_device", 1, 1.9), new Contribution("amount_vs_median", 14.2, 1.4),
                new Contribution("continent_change", 1, 0.8));
        Decision d = RuleEngine.builder().build().decide(42, features(), 0.62, top);
        String prompt = CaseNotes.prompt(tx, d);
        assertThat(prompt).contains("new_device=1 (+1.90)").contains("amount_vs_median=14.2 (+1.40)")
                .contains("Score 0.62, action review").contains("1,234.56 in electronics via online from SG");
        try (LanguageModel lm = AutoGLM.builder().model(TestModels.stories260K()).contextSize(1024).build()) {
            CaseNotes notes = new CaseNotes(lm);
            CaseNotes.CaseNote first = notes.write(tx, d);
            JsonNode o = new ObjectMapper().readTree(first.json());
            assertThat(o.fieldNames()).toIterable().containsExactly("summary", "main_reasons", "suggested_action");
            assertThat(first.summary()).isNotBlank().hasSizeLessThanOrEqualTo(48);
            assertThat(first.mainReasons()).hasSizeBetween(1, 3).allMatch(r -> !r.isEmpty() && r.length() <= 24);
            assertThat(first.suggestedAction()).isIn(CaseNotes.ACTIONS);
            assertThat(o.get("main_reasons")).hasSize(first.mainReasons().size());
            // greedy: the same input gives the same note
            assertThat(notes.write(tx, d)).isEqualTo(first);
        }
    }

    private static double[] features() {
        double[] x = new double[Features.count()];
        x[Features.AMOUNT] = 1234.56;
        return x;
    }
}

package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The quality statistics against values worked out by hand from two-token distributions. */
class QualityStatsTest {
    private static double[] logSoftmax(double... logits) {
        float[] f = new float[logits.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) logits[i];
        }
        return QualityEvaluator.logSoftmax(f, f.length);
    }

    @Test
    void logSoftmax_ofLogOneAndLogThree_isAQuarterAndThreeQuarters() {
        double[] lp = logSoftmax(0, Math.log(3));
        assertThat(Math.exp(lp[0])).isCloseTo(0.25, within(1e-7));
        assertThat(Math.exp(lp[1])).isCloseTo(0.75, within(1e-7));
    }

    @Test
    void klTop1AndPerplexity_matchTheHandComputedValues() {
        QualityEvaluator.Stats s = new QualityEvaluator.Stats(2);
        // position 1: p = (1/4, 3/4), q = (1/2, 1/2), next token 1
        //   KL(p||q) = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.1308120...; top-1: p says 1, q's tie resolves to 0 -> disagree
        s.add(logSoftmax(0, Math.log(3)), logSoftmax(0, 0), 1);
        // position 2: p = q = (1/3, 2/3), next token 0: KL 0, agree
        s.add(logSoftmax(0, Math.log(2)), logSoftmax(0, Math.log(2)), 0);
        QualityReport r = s.report(Path.of("base.gguf"), Path.of("q.gguf"), 64, 32, 1);
        double kl1 = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertThat(kl1).isCloseTo(0.1308120, within(1e-7));
        assertThat(r.meanKl()).isCloseTo(kl1 / 2, within(1e-6));
        assertThat(r.maxKl()).isCloseTo(kl1, within(1e-6));
        assertThat(r.p99Kl()).isCloseTo(kl1, within(1e-6)); // ceil(0.99 * 2) = 2nd smallest of 2
        assertThat(r.top1Agreement()).isEqualTo(0.5);
        // perplexity = exp(mean NLL of the next tokens): base exp((-ln 3/4 - ln 1/3) / 2) = sqrt(4), quantized sqrt(2 * 3)
        assertThat(r.basePerplexity()).isCloseTo(2.0, within(1e-6));
        assertThat(r.quantizedPerplexity()).isCloseTo(Math.sqrt(6), within(1e-6));
    }
}

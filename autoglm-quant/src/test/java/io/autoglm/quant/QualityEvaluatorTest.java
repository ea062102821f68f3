package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityEvaluatorTest {
    @TempDir
    Path tmp;

    @Test
    void modelAgainstItself_hasZeroKl_fullTop1Agreement_andEqualPerplexity() {
        Path stories = TestModels.stories260K();
        List<String> told = new ArrayList<>();
        QualityReport r = QualityEvaluator.builder().base(stories).quantized(stories).text(TestModels.text())
                .contextSize(64).stride(32).maxWindows(3).threads(2)
                .listener((done, windows) -> told.add(done + "/" + windows)).build().evaluate();
        assertThat(r.windows()).isEqualTo(3);
        assertThat(told).containsExactly("1/3", "2/3", "3/3");
        assertThat(r.scoredTokens()).isEqualTo(63 + 32 + 32);
        assertThat(r.meanKl()).isZero();
        assertThat(r.p99Kl()).isZero();
        assertThat(r.top1Agreement()).isEqualTo(1.0);
        assertThat(r.quantizedPerplexity()).isEqualTo(r.basePerplexity());
        // a trained model on English text is far better than uniform over its 512 tokens
        assertThat(r.basePerplexity()).isGreaterThan(1.0).isLessThan(100.0);
    }

    @Test
    void klOrdersByPrecision_onA256MultipleSyntheticModel() throws IOException {
        Path base = SyntheticModels.llama(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(256).layers(2).heads(4).headsKv(2)
                .ff(512).context(256).type(GgmlType.F16).seed(5).write(tmp.resolve("base.gguf"));
        List<Quantization> order = List.of(Quantization.Q8_0, Quantization.Q6_K, Quantization.Q5_K_M, Quantization.Q4_K_M,
                Quantization.Q2_K);
        List<Path> files = new ArrayList<>();
        for (Quantization q : order) {
            Path out = tmp.resolve(q + ".gguf");
            ModelQuantizer.builder().input(base).output(out).preset(q).threads(2).build().quantize();
            files.add(out);
        }
        List<QualityReport> reports = QualityEvaluator.builder().base(base).text(TestModels.text()).contextSize(64).stride(64)
                .maxWindows(4).threads(2).build().evaluateAll(files);
        assertThat(reports).hasSize(order.size());
        assertThat(reports.get(2).quantized()).isEqualTo(files.get(2));
        assertThat(reports.get(0).scoredTokens()).isEqualTo(4 * 63); // stride == ctx: each window scores its 63 predictable positions
        for (int i = 0; i < order.size(); i++) {
            QualityReport r = reports.get(i);
            assertThat(r.meanKl()).as(order.get(i).name()).isGreaterThan(0);
            assertThat(r.p99Kl()).as(order.get(i).name()).isGreaterThanOrEqualTo(r.meanKl() * 0.5);
            assertThat(r.maxKl()).isGreaterThanOrEqualTo(r.p99Kl());
            if (i > 0) {
                assertThat(r.meanKl()).as(order.get(i) + " vs " + order.get(i - 1))
                        .isGreaterThan(reports.get(i - 1).meanKl());
                assertThat(r.top1Agreement()).as(order.get(i) + " top-1 vs " + order.get(i - 1))
                        .isLessThanOrEqualTo(reports.get(i - 1).top1Agreement() + 0.02);
            }
        }
    }

    @Test
    void textShorterThanOneWindow_isRejectedWithItsTokenCount() throws IOException {
        Path stories = TestModels.stories260K();
        Path text = Files.writeString(tmp.resolve("short.txt"), "Once upon a time.");
        assertThatThrownBy(() -> QualityEvaluator.builder().base(stories).quantized(stories).text(text).contextSize(64).build()
                .evaluate()).isInstanceOf(QuantizationException.class).hasMessageContaining("fewer than one window of 64");
    }

    @Test
    void builder_validatesAtOnce() {
        assertThatThrownBy(() -> QualityEvaluator.builder().contextSize(8)).hasMessageContaining("contextSize")
                .hasMessageContaining("8");
        assertThatThrownBy(() -> QualityEvaluator.builder().stride(0)).hasMessageContaining("stride");
        assertThatThrownBy(() -> QualityEvaluator.builder().maxWindows(0)).hasMessageContaining("maxWindows");
        assertThatThrownBy(() -> QualityEvaluator.builder().contextSize(65537)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextSize must be in [16, 65536], was 65537");
        assertThatThrownBy(() -> QualityEvaluator.builder().stride(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stride must be in [1, 65536], was 0");
        assertThatThrownBy(() -> QualityEvaluator.builder().maxWindows(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWindows must be >= 1, was 0");
        assertThatThrownBy(() -> QualityEvaluator.builder().threads(513)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be in [1, 512], was 513");
        Path p = Path.of("x.gguf");
        assertThatThrownBy(() -> QualityEvaluator.builder().base(p).quantized(p).text(p).contextSize(32).stride(64).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stride");
        assertThatThrownBy(() -> QualityEvaluator.builder().base(p).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> QualityEvaluator.builder().base(p).text(p).build().evaluate())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("quantized");
        assertThatThrownBy(() -> QualityEvaluator.builder().base(p).text(p).build().evaluateAll(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.autoglm.quant;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares a quantized model with its source over a text through the public API ({@link LanguageModel#evaluate}
 * on the FFM backend): per-token KL divergence KL(P_base || P_quantized) with softmax computed in double, top-1
 * agreement, and the perplexity of each model.
 *
 * <pre>{@code
 * QualityReport r = QualityEvaluator.builder()
 *         .base(Path.of("model-f32.gguf")).quantized(Path.of("model-q4_k_m.gguf"))
 *         .text(Path.of("book.txt")).contextSize(256).stride(128).maxWindows(8)
 *         .build().evaluate();
 * }</pre>
 *
 * <p>The text is tokenized once with the base model (BOS added). Window {@code w} covers tokens
 * {@code [w*stride, w*stride + contextSize)}; each is evaluated from an empty context. The first window scores every
 * position that has a next token; later windows score only their last {@code stride} positions, so no token is
 * scored twice and every scored position has at least {@code contextSize - stride} tokens of history.
 */
public final class QualityEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(QualityEvaluator.class);

    private final Path base;
    private final Path quantized;
    private final Path text;
    private final int contextSize;
    private final int stride;
    private final int maxWindows;
    private final int threads;

    private QualityEvaluator(Builder b) {
        base = b.base;
        quantized = b.quantized;
        text = b.text;
        contextSize = b.contextSize;
        stride = b.stride == 0 ? b.contextSize / 2 : b.stride;
        maxWindows = b.maxWindows;
        threads = b.threads;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of an evaluation. */
    public static final class Builder {
        private Path base;
        private Path quantized;
        private Path text;
        private int contextSize = 256;
        private int stride;
        private int maxWindows = Integer.MAX_VALUE;
        private int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));

        private Builder() {
        }

        /** @param v the source model @return this */
        public Builder base(Path v) {
            base = Objects.requireNonNull(v, "base");
            return this;
        }

        /** @param v the quantized model (same vocabulary) @return this */
        public Builder quantized(Path v) {
            quantized = Objects.requireNonNull(v, "quantized");
            return this;
        }

        /** @param v a UTF-8 text file @return this */
        public Builder text(Path v) {
            text = Objects.requireNonNull(v, "text");
            return this;
        }

        /** @param v tokens per window, 16..65536 (default 256) @return this */
        public Builder contextSize(int v) {
            if (v < 16 || v > 65536) {
                throw new IllegalArgumentException("contextSize must be in [16, 65536], was " + v);
            }
            contextSize = v;
            return this;
        }

        /** @param v tokens between window starts, 1..contextSize (default contextSize / 2) @return this */
        public Builder stride(int v) {
            if (v < 1 || v > 65536) {
                throw new IllegalArgumentException("stride must be in [1, 65536], was " + v);
            }
            stride = v;
            return this;
        }

        /** @param v largest number of windows, at least 1 (default: as many as the text gives) @return this */
        public Builder maxWindows(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("maxWindows must be >= 1, was " + v);
            }
            maxWindows = v;
            return this;
        }

        /** @param v decoding threads, 1..512 @return this */
        public Builder threads(int v) {
            if (v < 1 || v > 512) {
                throw new IllegalArgumentException("threads must be in [1, 512], was " + v);
            }
            threads = v;
            return this;
        }

        /**
         * @return the evaluator
         * @throws IllegalStateException when base, quantized or text is missing, or stride exceeds contextSize
         */
        public QualityEvaluator build() {
            if (base == null || quantized == null || text == null) {
                throw new IllegalStateException("base, quantized and text are required (base=" + base + ", quantized="
                        + quantized + ", text=" + text + ")");
            }
            if (stride > contextSize) {
                throw new IllegalStateException("stride must be <= contextSize " + contextSize + ", was " + stride);
            }
            return new QualityEvaluator(this);
        }
    }

    /**
     * Runs the evaluation.
     *
     * @return the report
     * @throws ModelLoadException when a model cannot be loaded or the text cannot be read
     * @throws QuantizationException when the text is too short for one window or the vocabularies differ
     */
    public QualityReport evaluate() {
        String content;
        try {
            content = Files.readString(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new QuantizationException("cannot read the text " + text + ": " + e, e);
        }
        try (LanguageModel b = open(base); LanguageModel q = open(quantized)) {
            if (b.info().vocabSize() != q.info().vocabSize()) {
                throw new QuantizationException("the models have different vocabularies: " + b.info().vocabSize() + " vs "
                        + q.info().vocabSize() + " tokens");
            }
            int[] tokens = b.tokenize(content, true, false);
            if (tokens.length < contextSize) {
                throw new QuantizationException("the text " + text + " has " + tokens.length + " tokens, fewer than one window of "
                        + contextSize);
            }
            int windows = Math.min(maxWindows, 1 + (tokens.length - contextSize) / stride);
            int vocab = b.info().vocabSize();
            int perWindowMax = contextSize - 1;
            double[] kls = new double[windows * perWindowMax];
            int n = 0;
            long agree = 0;
            double nllBase = 0;
            double nllQuant = 0;
            float[][] baseLogits = new float[contextSize][];
            float[][] quantLogits = new float[contextSize][];
            for (int w = 0; w < windows; w++) {
                int start = w * stride;
                int[] window = Arrays.copyOfRange(tokens, start, start + contextSize);
                b.evaluate(window, (pos, logits) -> baseLogits[pos] = logits.clone());
                q.evaluate(window, (pos, logits) -> quantLogits[pos] = logits.clone());
                int first = w == 0 ? 0 : contextSize - stride - 1;
                for (int pos = Math.max(0, first); pos < contextSize - 1; pos++) {
                    float[] pl = baseLogits[pos];
                    float[] ql = quantLogits[pos];
                    if (pl == null || ql == null || pl.length < vocab || ql.length < vocab) {
                        throw new QuantizationException("no logits for position " + pos + " of window " + w);
                    }
                    double[] lp = logSoftmax(pl, vocab);
                    double[] lq = logSoftmax(ql, vocab);
                    double kl = 0;
                    for (int i = 0; i < vocab; i++) {
                        double p = Math.exp(lp[i]);
                        if (p > 0) {
                            kl += p * (lp[i] - lq[i]);
                        }
                    }
                    kls[n++] = Math.max(0, kl);
                    if (argmax(pl, vocab) == argmax(ql, vocab)) {
                        agree++;
                    }
                    int next = window[pos + 1];
                    nllBase -= lp[next];
                    nllQuant -= lq[next];
                }
                Arrays.fill(baseLogits, null);
                Arrays.fill(quantLogits, null);
            }
            double[] scored = Arrays.copyOf(kls, n);
            double mean = 0;
            for (double k : scored) {
                mean += k;
            }
            mean /= n;
            Arrays.sort(scored);
            double p99 = scored[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
            QualityReport r = new QualityReport(base, quantized, contextSize, stride, windows, n, mean, p99, scored[n - 1],
                    (double) agree / n, Math.exp(nllBase / n), Math.exp(nllQuant / n));
            LOG.info("quality of {} vs {}: KL mean {} p99 {}, top-1 {}, ppl {} vs {} over {} tokens", quantized.getFileName(),
                    base.getFileName(), r.meanKl(), r.p99Kl(), r.top1Agreement(), r.basePerplexity(), r.quantizedPerplexity(), n);
            return r;
        }
    }

    private LanguageModel open(Path model) {
        return AutoGLM.builder().model(model).backend(Backend.FFM).contextSize(contextSize).batchSize(contextSize)
                .threads(threads).embeddings(false).build();
    }

    static double[] logSoftmax(float[] logits, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }

    private static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}

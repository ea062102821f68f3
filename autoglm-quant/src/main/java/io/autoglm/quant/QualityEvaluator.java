package io.autoglm.quant;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.internal.Checks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * position that has a next token; later windows score only their last {@code stride} positions (all but the first
 * when {@code stride == contextSize}), so no token is scored twice.
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
    private final ProgressListener listener;

    /** Told after each window is scored, for progress displays. */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * Called on the evaluating thread after every model has scored a window.
         *
         * @param windowsDone windows scored so far (1-based)
         * @param windows windows of the whole evaluation
         */
        void windowDone(int windowsDone, int windows);
    }

    private QualityEvaluator(Builder b) {
        base = b.base;
        quantized = b.quantized;
        text = b.text;
        contextSize = b.contextSize;
        stride = b.stride == 0 ? b.contextSize / 2 : b.stride;
        maxWindows = b.maxWindows;
        threads = b.threads;
        listener = b.listener;
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
        private ProgressListener listener = (done, windows) -> { };

        private Builder() {
        }

        /** @param v the source model @return this */
        public Builder base(Path v) {
            base = Objects.requireNonNull(v, "base");
            return this;
        }

        /** @param v the quantized model (same vocabulary) for {@link #evaluate()} @return this */
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
            contextSize = Checks.inRange("contextSize", v, 16, 65536);
            return this;
        }

        /** @param v tokens between window starts, 1..contextSize (default contextSize / 2) @return this */
        public Builder stride(int v) {
            stride = Checks.inRange("stride", v, 1, 65536);
            return this;
        }

        /** @param v largest number of windows, at least 1 (default: as many as the text gives) @return this */
        public Builder maxWindows(int v) {
            maxWindows = Checks.atLeast("maxWindows", v, 1);
            return this;
        }

        /** @param v decoding threads, 1..512 @return this */
        public Builder threads(int v) {
            threads = Checks.inRange("threads", v, 1, 512);
            return this;
        }

        /** @param v told after each window (default: nobody) @return this */
        public Builder listener(ProgressListener v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /**
         * @return the evaluator
         * @throws IllegalStateException when base or text is missing, or stride exceeds contextSize
         */
        public QualityEvaluator build() {
            if (base == null || text == null) {
                throw new IllegalStateException("base and text are required (base=" + base + ", text=" + text + ")");
            }
            if (stride > contextSize) {
                throw new IllegalStateException("stride must be <= contextSize " + contextSize + ", was " + stride);
            }
            return new QualityEvaluator(this);
        }
    }

    /**
     * Runs the evaluation of the builder's quantized model.
     *
     * @return the report
     * @throws ModelLoadException when a model cannot be loaded
     * @throws QuantizationException when the text cannot be read, is too short for one window, or the vocabularies differ
     */
    public QualityReport evaluate() {
        if (quantized == null) {
            throw new IllegalStateException("no quantized model: set Builder.quantized(Path) or call evaluateAll");
        }
        return evaluateAll(List.of(quantized)).get(0);
    }

    /**
     * Evaluates several quantized models of the same source in one pass: the source's logits are computed once per
     * window and compared with each model's (the builder's {@code quantized} model is not used).
     *
     * @param models quantized models, at least one
     * @return one report per model, in the same order
     * @throws ModelLoadException when a model cannot be loaded
     * @throws QuantizationException when the text cannot be read, is too short for one window, or the vocabularies differ
     */
    public List<QualityReport> evaluateAll(List<Path> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must not be empty");
        }
        String content;
        try {
            content = Files.readString(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new QuantizationException("cannot read the text " + text + ": " + e, e);
        }
        List<LanguageModel> opened = new ArrayList<>();
        try (LanguageModel b = open(base)) {
            int vocab = b.info().vocabSize();
            for (Path model : models) {
                LanguageModel q = open(model);
                opened.add(q);
                if (q.info().vocabSize() != vocab) {
                    throw new QuantizationException("the models have different vocabularies: " + vocab + " vs "
                            + q.info().vocabSize() + " tokens (" + model + ")");
                }
            }
            int[] tokens = b.tokenize(content, true, false);
            if (tokens.length < contextSize) {
                throw new QuantizationException("the text " + text + " has " + tokens.length + " tokens, fewer than one window of "
                        + contextSize);
            }
            int windows = Math.min(maxWindows, 1 + (tokens.length - contextSize) / stride);
            int perModel = (contextSize - 1) + (windows - 1) * Math.min(stride, contextSize - 1);
            Stats[] stats = new Stats[models.size()];
            for (int m = 0; m < stats.length; m++) {
                stats[m] = new Stats(perModel);
            }
            float[][] baseLogits = new float[contextSize][];
            float[][] logits = new float[contextSize][];
            for (int w = 0; w < windows; w++) {
                int[] window = Arrays.copyOfRange(tokens, w * stride, w * stride + contextSize);
                b.evaluate(window, (pos, l) -> baseLogits[pos] = l.clone());
                for (int m = 0; m < stats.length; m++) {
                    opened.get(m).evaluate(window, (pos, l) -> logits[pos] = l.clone());
                    for (int pos = w == 0 ? 0 : Math.max(0, contextSize - stride - 1); pos < contextSize - 1; pos++) {
                        stats[m].add(logSoftmax(checked(baseLogits[pos], vocab, pos, w), vocab),
                                logSoftmax(checked(logits[pos], vocab, pos, w), vocab), window[pos + 1]);
                    }
                }
                listener.windowDone(w + 1, windows);
            }
            List<QualityReport> reports = new ArrayList<>();
            for (int m = 0; m < stats.length; m++) {
                QualityReport r = stats[m].report(base, models.get(m), contextSize, stride, windows);
                LOG.info("quality of {} vs {}: KL mean {} p99 {}, top-1 {}, ppl {} vs {} over {} tokens",
                        models.get(m).getFileName(), base.getFileName(), r.meanKl(), r.p99Kl(), r.top1Agreement(),
                        r.basePerplexity(), r.quantizedPerplexity(), r.scoredTokens());
                reports.add(r);
            }
            return reports;
        } finally {
            for (LanguageModel q : opened) {
                q.close();
            }
        }
    }

    /** Running sums for one quantized model. */
    static final class Stats {
        final double[] kls;
        int n;
        long agree;
        double nllBase;
        double nllQuant;

        Stats(int capacity) {
            kls = new double[capacity];
        }

        void add(double[] lp, double[] lq, int next) {
            double kl = 0;
            int topP = 0;
            int topQ = 0;
            for (int i = 0; i < lp.length; i++) {
                kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
                if (lp[i] > lp[topP]) {
                    topP = i;
                }
                if (lq[i] > lq[topQ]) {
                    topQ = i;
                }
            }
            kls[n++] = Math.max(0, kl);
            if (topP == topQ) {
                agree++;
            }
            nllBase -= lp[next];
            nllQuant -= lq[next];
        }

        QualityReport report(Path base, Path model, int contextSize, int stride, int windows) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += kls[i];
            }
            mean /= n;
            double[] sorted = Arrays.copyOf(kls, n);
            Arrays.sort(sorted);
            double p99 = sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
            return new QualityReport(base, model, contextSize, stride, windows, n, mean, p99, sorted[n - 1], (double) agree / n,
                    Math.exp(nllBase / n), Math.exp(nllQuant / n));
        }
    }

    private static float[] checked(float[] logits, int vocab, int pos, int window) {
        if (logits == null || logits.length < vocab) {
            throw new QuantizationException("no logits for position " + pos + " of window " + window);
        }
        return logits;
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
}

package io.autoglm.backend.ffm;

import io.autoglm.Backend;
import io.autoglm.ContextOverflowException;
import io.autoglm.LoadProgressListener;
import io.autoglm.LogitsConsumer;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BatchDecoder;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Shared helpers of the FFM backend tests: specs, and a minimal single-sequence driver of the
 * {@link BatchDecoder} (the engine's scheduler is tested on its own) so the backend is tested alone.
 * The test thread loads the model, so it owns the decoder.
 */
final class FfmTestSupport {
    private FfmTestSupport() {
    }

    static ModelSpec spec(Path model, int threads, int ctx) {
        return spec(model, threads, ctx, null, false);
    }

    static ModelSpec spec(Path model, int threads, int ctx, LoadProgressListener progress, boolean embeddings) {
        return ModelSpec.builder(model).backend(Backend.FFM).threads(threads).contextSize(ctx).batchSize(512)
                .parallel(1).prefixCache(false).progress(progress).maxQueuedRequests(16).embeddings(embeddings).build();
    }

    static FfmModel load(Path model, int threads, int ctx) {
        return (FfmModel) new FfmBackend().load(spec(model, threads, ctx));
    }

    /** Result of a generation with its tokens. */
    record Run(List<Integer> tokens, GenerationResult result) {
        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static Run generate(FfmModel m, int[] prompt, SamplingParams p, int max, boolean ignoreEos, String grammar) {
        return generate(m, prompt, p, max, ignoreEos, grammar, t -> true);
    }

    /** One sequence from an empty cache: prefill in batch-sized chunks, then sample and decode one token at a time. */
    static Run generate(FfmModel m, int[] prompt, SamplingParams p, int max, boolean ignoreEos, String grammar,
            IntPredicate sink) {
        BatchDecoder d = m.decoder();
        checkTokens(m, prompt);
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt must contain at least one token");
        }
        if (prompt.length > d.contextSize()) {
            throw new ContextOverflowException(prompt.length, d.contextSize());
        }
        d.clearMemory();
        List<Integer> out = new ArrayList<>();
        long t0 = System.nanoTime();
        try (BatchDecoder.Sampler s = d.newSampler(p, grammar)) {
            int row = prefill(d, prompt, false);
            long t1 = System.nanoTime();
            int nPast = prompt.length;
            GenerationResult.End end;
            while (true) {
                if (out.size() >= max) {
                    end = GenerationResult.End.LENGTH;
                    break;
                }
                int tok = s.sample(row);
                if (!ignoreEos && m.isEndOfGeneration(tok)) {
                    end = GenerationResult.End.END_OF_GENERATION;
                    break;
                }
                out.add(tok);
                if (!sink.test(tok)) {
                    end = GenerationResult.End.SINK_STOPPED;
                    break;
                }
                if (out.size() >= max) {
                    end = GenerationResult.End.LENGTH;
                    break;
                }
                if (nPast >= d.contextSize()) {
                    end = GenerationResult.End.CONTEXT_FULL;
                    break;
                }
                d.clear();
                row = d.add(tok, nPast, 0, true);
                if (d.decode() != BatchDecoder.Status.OK) {
                    throw new IllegalStateException("no KV space at position " + nPast);
                }
                nPast++;
            }
            long t2 = System.nanoTime();
            return new Run(out, new GenerationResult(prompt.length, out.size(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, end));
        }
    }

    /** @return the row of the last token */
    private static int prefill(BatchDecoder d, int[] tokens, boolean allLogits) {
        int row = -1;
        for (int start = 0; start < tokens.length; start += d.batchCapacity()) {
            int n = Math.min(d.batchCapacity(), tokens.length - start);
            d.clear();
            for (int i = 0; i < n; i++) {
                row = d.add(tokens[start + i], start + i, 0, allLogits || i == n - 1);
            }
            if (d.decode() != BatchDecoder.Status.OK) {
                throw new IllegalStateException("no KV space for " + n + " tokens at position " + start);
            }
        }
        return row;
    }

    /** The logits after every position, from an empty cache. */
    static void evaluate(FfmModel m, int[] tokens, LogitsConsumer consumer) {
        BatchDecoder d = m.decoder();
        checkTokens(m, tokens);
        if (tokens.length > d.contextSize()) {
            throw new ContextOverflowException(tokens.length, d.contextSize());
        }
        d.clearMemory();
        float[] logits = new float[m.vocabSize()];
        for (int start = 0; start < tokens.length; start += d.batchCapacity()) {
            int n = Math.min(d.batchCapacity(), tokens.length - start);
            d.clear();
            for (int i = 0; i < n; i++) {
                d.add(tokens[start + i], start + i, 0, true);
            }
            if (d.decode() != BatchDecoder.Status.OK) {
                throw new IllegalStateException("no KV space");
            }
            for (int i = 0; i < n; i++) {
                d.logits(i, logits);
                consumer.accept(start + i, logits);
            }
        }
    }

    static float[] embed(FfmModel m, int[] tokens, boolean normalize) {
        checkTokens(m, tokens);
        return m.decoder().embed(new int[][] {tokens}, normalize)[0];
    }

    private static void checkTokens(FfmModel m, int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= m.vocabSize()) {
                throw new IllegalArgumentException("tokens[" + i + "] must be a token id in [0, " + m.vocabSize() + "), was "
                        + tokens[i]);
            }
        }
    }

    static String text(FfmModel m, int[] tokens) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            b.writeBytes(m.tokenBytes(t));
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}

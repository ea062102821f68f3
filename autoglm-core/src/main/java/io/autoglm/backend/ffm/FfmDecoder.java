package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.autoglm.ModelLoadException;
import io.autoglm.NativeException;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BatchDecoder;
import io.autoglm.backend.ModelSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The FFM {@link BatchDecoder}: one generation context whose unified KV cache holds every sequence,
 * its batch, and (created on first use) an embedding context. Everything here runs on the thread
 * that loaded the model: llama.cpp b4916's OpenMP CPU backend keeps a thread team per calling
 * thread, so the contexts are created, warmed up and decoded on that one thread.
 */
final class FfmDecoder implements BatchDecoder {
    /** most sequences packed into one embedding decode (sequence ids 0..n-1 of the embedding context) */
    static final int EMBED_SEQUENCES = 16;

    private final LlamaLibrary lib;
    private final MemorySegment model;
    private final FfmVocab vocab;
    private final String owner;
    private final Arena arena = Arena.ofConfined();
    private final int threads;
    private final boolean flashAttention;
    private final int nVocab;
    private final int nEmbd;
    private final boolean encoderOnly;
    private final int perSequence;
    private final int sequenceIds;
    private final boolean embeddingsWanted;

    private MemorySegment threadpool = MemorySegment.NULL;
    private MemorySegment ctx = MemorySegment.NULL;
    private MemorySegment embCtx = MemorySegment.NULL;
    private NativeBatch batch;
    private NativeBatch embBatch;
    private int kvCells;
    private int nBatch;
    private int embPooling;
    private boolean closed;

    private FfmDecoder(LlamaLibrary lib, MemorySegment model, FfmVocab vocab, ModelSpec spec, String owner) throws Throwable {
        this.lib = lib;
        this.model = model;
        this.vocab = vocab;
        this.owner = owner;
        this.threads = spec.threads();
        this.flashAttention = spec.flashAttention();
        this.nVocab = vocab.size();
        this.nEmbd = (int) lib.modelNEmbd.invokeExact(model);
        this.encoderOnly = (boolean) lib.modelHasEncoder.invokeExact(model) && !(boolean) lib.modelHasDecoder.invokeExact(model);
        int trained = (int) lib.modelNCtxTrain.invokeExact(model);
        int requested = spec.contextSize() == 0 ? Math.max(16, trained) : spec.contextSize();
        this.perSequence = pad32(requested);
        this.sequenceIds = spec.sequenceIds();
        this.embeddingsWanted = spec.embeddings();
    }

    /**
     * Creates the generation context (and the embedding context when asked for) and warms it up, on the calling thread.
     *
     * @throws ModelLoadException when llama.cpp refuses the context
     */
    static FfmDecoder create(LlamaLibrary lib, MemorySegment model, FfmVocab vocab, ModelSpec spec, String owner) {
        FfmDecoder d;
        try {
            d = new FfmDecoder(lib, model, vocab, spec, owner);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
        try {
            d.init(spec);
            return d;
        } catch (Throwable t) {
            try {
                d.close();
            } catch (RuntimeException | Error suppressed) {
                t.addSuppressed(suppressed);
            }
            throw LlamaLibrary.rethrow(t);
        }
    }

    private void init(ModelSpec spec) throws Throwable {
        long cells = spec.kvCells(perSequence);
        if (cells > Integer.MAX_VALUE / 2) {
            throw new ModelLoadException("KV cache of " + cells + " cells (parallel " + spec.parallel() + " x context "
                    + perSequence + " + prefix cache " + spec.prefixCacheTokens() + ") is too large; lower parallel or contextSize");
        }
        int total = pad32((int) cells);
        int requestedBatch = Math.min(Math.max(1, spec.batchSize()), total);
        int ubatch = Math.min(spec.ubatchSize(), requestedBatch);
        ctx = createContext(total, requestedBatch, ubatch, false, Abi.POOLING_UNSPECIFIED, sequenceIds);
        kvCells = Math.min((int) lib.nCtx.invokeExact(ctx), total);
        nBatch = Math.min((int) lib.nBatch.invokeExact(ctx), requestedBatch);
        batch = new NativeBatch(lib, arena, nBatch);
        if (!encoderOnly) {
            // warm-up on this thread: the OpenMP team that later decodes is created here
            int bos = vocab.bos();
            batch.add(bos >= 0 && bos < nVocab ? bos : 0, 0, 0, true);
            int rc = batch.decode(ctx);
            batch.clear();
            if (rc != 0) {
                throw new ModelLoadException("warm-up llama_decode of " + owner + " failed with return code " + rc);
            }
            lib.abi.clearMemory(ctx);
        }
        if (embeddingsWanted) {
            ensureEmbeddingContext();
        }
    }

    static int pad32(int n) {
        return (n + 31) / 32 * 32;
    }

    private MemorySegment createContext(int ctxSize, int batchSize, int ubatch, boolean embeddings, int pooling, int nSeqMax)
            throws Throwable {
        NativeLog.takeLastError();
        MemorySegment c = lib.abi.newContext(lib, model, new Abi.ContextOptions(ctxSize, batchSize, ubatch, threads,
                embeddings, pooling, nSeqMax, flashAttention && !embeddings));
        if (c.equals(MemorySegment.NULL)) {
            String why = NativeLog.takeLastError();
            throw new ModelLoadException("llama_init_from_model(n_ctx=" + ctxSize + ", n_batch=" + batchSize + ", n_seq_max="
                    + nSeqMax + ", embeddings=" + embeddings + ") returned NULL for " + owner + (why.isEmpty() ? "" : ": " + why));
        }
        try {
            if (threadpool.equals(MemorySegment.NULL)) {
                threadpool = lib.abi.createThreadpool(threads);
            }
            lib.abi.attachThreadpool(c, threadpool);
        } catch (RuntimeException | Error e) {
            lib.free.invokeExact(c);
            throw e;
        }
        return c;
    }

    private void ensureEmbeddingContext() throws Throwable {
        if (!embCtx.equals(MemorySegment.NULL)) {
            return;
        }
        // non-causal models need the whole input in one micro-batch: n_batch = n_ubatch = n_ctx
        MemorySegment c = createContext(perSequence, perSequence, perSequence, true, Abi.POOLING_UNSPECIFIED, EMBED_SEQUENCES);
        embPooling = (int) lib.poolingType.invokeExact(c);
        embBatch = new NativeBatch(lib, arena, perSequence);
        embCtx = c;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + owner);
        }
    }

    // ---------------------------------------------------------------------------------------- sizes

    @Override
    public int sequenceIds() {
        return sequenceIds;
    }

    @Override
    public int kvCells() {
        return kvCells;
    }

    @Override
    public int contextSize() {
        return perSequence;
    }

    @Override
    public int batchCapacity() {
        return nBatch;
    }

    int embeddingLength() {
        return nEmbd;
    }

    boolean hasThreadpool() {
        return !threadpool.equals(MemorySegment.NULL);
    }

    // ----------------------------------------------------------------------------------------- step

    @Override
    public void clear() {
        batch.clear();
    }

    @Override
    public int add(int token, int position, int sequence, boolean logits) {
        return batch.add(token, position, sequence, logits);
    }

    @Override
    public int size() {
        return batch.size();
    }

    @Override
    public Status decode() {
        requireOpen();
        if (encoderOnly) {
            throw new UnsupportedOperationException(owner + " is an encoder-only model: it embeds text but cannot generate");
        }
        int n = batch.size();
        if (n == 0) {
            throw new IllegalStateException("decode of an empty batch");
        }
        int rc;
        NativeLog.takeLastError(); // forget errors of earlier calls
        try {
            rc = batch.decode(ctx);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
        if (rc == 0) {
            return Status.OK;
        }
        String why = NativeLog.takeErrors();
        if (lib.abi.noKvSpace(rc, why)) {
            return Status.NO_KV_SPACE;
        }
        throw new NativeException("llama_decode", n + " tokens" + (why.isEmpty() ? "" : " (" + why + ")"), rc);
    }

    @Override
    public Sampler newSampler(SamplingParams params, String grammar) {
        requireOpen();
        SamplingParams p = params;
        if (grammar != null) {
            // llama.cpp's grammar matches a control token (BOS, chat markers) by its rendered text, which is not part
            // of the generated text: with a grammar they are banned, end-of-generation tokens excepted
            SamplingParams.Builder b = null;
            for (int t : controlTokens()) {
                if (!params.logitBias().containsKey(t)) {
                    b = b == null ? params.toBuilder() : b;
                    b.logitBias(t, Float.NEGATIVE_INFINITY);
                }
            }
            p = b == null ? params : b.build();
        }
        return FfmSampler.create(lib, ctx, vocab.pointer(), nVocab, perSequence, p, grammar);
    }

    private int[] controlTokens;

    /** @return control tokens that do not end generation (read once) */
    private int[] controlTokens() {
        if (controlTokens == null) {
            java.util.List<Integer> found = new java.util.ArrayList<>();
            for (int t = 0; t < nVocab; t++) {
                if (vocab.isControl(t) && !vocab.isEndOfGeneration(t)) {
                    found.add(t);
                }
            }
            controlTokens = found.stream().mapToInt(Integer::intValue).toArray();
        }
        return controlTokens;
    }

    @Override
    public void logits(int row, float[] out) {
        try {
            MemorySegment r = (MemorySegment) lib.getLogitsIth.invokeExact(ctx, row);
            if (r.equals(MemorySegment.NULL)) {
                throw new NativeException("llama_get_logits_ith", "i=" + row, 0);
            }
            MemorySegment.copy(r.reinterpret(4L * nVocab), JAVA_FLOAT, 0, out, 0, nVocab);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    // --------------------------------------------------------------------------------------- memory

    @Override
    public void clearMemory() {
        requireOpen();
        lib.abi.clearMemory(ctx);
    }

    @Override
    public void removeFrom(int sequence, int fromPosition) {
        requireOpen();
        if (!lib.abi.seqRemove(ctx, sequence, fromPosition, -1)) {
            throw new NativeException("llama seq_rm", "seq " + sequence + " from position " + fromPosition, 0);
        }
    }

    @Override
    public void copyPrefix(int source, int target, int length) {
        requireOpen();
        lib.abi.seqCopy(ctx, source, target, 0, length);
    }

    /** The {@code llama_context *} of generation, for {@link FfmDiagnostics}. */
    MemorySegment context() {
        requireOpen();
        return ctx;
    }

    // ----------------------------------------------------------------------------------- embeddings

    @Override
    public int embeddingSequences() {
        return EMBED_SEQUENCES;
    }

    @Override
    public float[][] embed(int[][] inputs, boolean normalize) {
        requireOpen();
        try {
            ensureEmbeddingContext();
            float[][] out = new float[inputs.length][];
            int next = 0;
            int[] start = new int[EMBED_SEQUENCES + 1];
            while (next < inputs.length) {
                lib.abi.clearMemory(embCtx);
                embBatch.clear();
                int k = 0;
                while (next + k < inputs.length && k < EMBED_SEQUENCES
                        && embBatch.size() + inputs[next + k].length <= embBatch.capacity()) {
                    int[] in = inputs[next + k];
                    start[k] = embBatch.size();
                    for (int p = 0; p < in.length; p++) {
                        embBatch.add(in[p], p, k, true);
                    }
                    k++;
                }
                if (k == 0) {
                    throw new IllegalArgumentException("input of " + inputs[next].length + " tokens is longer than the context of "
                            + perSequence + " tokens");
                }
                start[k] = embBatch.size();
                int rc = encoderOnly ? embBatch.encode(embCtx) : embBatch.decode(embCtx);
                if (rc != 0) {
                    throw new NativeException(encoderOnly ? "llama_encode" : "llama_decode", embBatch.size() + " tokens of " + k
                            + " inputs (embeddings)", rc);
                }
                for (int j = 0; j < k; j++) {
                    out[next + j] = pooled(j, start[j], start[j + 1], normalize);
                }
                next += k;
            }
            return out;
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        }
    }

    private float[] pooled(int seq, int from, int to, boolean normalize) throws Throwable {
        float[] out;
        if (embPooling == Abi.POOLING_NONE) {
            // A generative model has no pooling of its own. b4916's MEAN pooling graph aborts
            // (GGML_ASSERT in ggml_mul_mat) for such models, so the per-token embeddings are averaged here.
            out = new float[nEmbd];
            long bytes = 4L * nEmbd;
            for (int i = from; i < to; i++) {
                MemorySegment row = (MemorySegment) lib.getEmbeddingsIth.invokeExact(embCtx, i);
                if (row.equals(MemorySegment.NULL)) {
                    throw new NativeException("llama_get_embeddings_ith", "i=" + i, 0);
                }
                row = row.reinterpret(bytes);
                for (int j = 0; j < nEmbd; j++) {
                    out[j] += row.getAtIndex(JAVA_FLOAT, j);
                }
            }
            int n = to - from;
            for (int j = 0; j < nEmbd; j++) {
                out[j] /= n;
            }
        } else {
            MemorySegment e = (MemorySegment) lib.getEmbeddingsSeq.invokeExact(embCtx, seq);
            if (e.equals(MemorySegment.NULL)) {
                throw new NativeException("llama_get_embeddings_seq", "seq " + seq + ", pooling " + embPooling, 0);
            }
            out = e.reinterpret(4L * nEmbd).toArray(JAVA_FLOAT);
        }
        if (normalize) {
            double sum = 0;
            for (float v : out) {
                sum += (double) v * v;
            }
            if (sum > 0) {
                float inv = (float) (1.0 / Math.sqrt(sum));
                for (int i = 0; i < out.length; i++) {
                    out[i] *= inv;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------- close

    /** Frees both contexts, the batches and the thread pool (the model stays). On the decode thread. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (batch != null) {
                batch.free();
            }
            if (embBatch != null) {
                embBatch.free();
            }
            // order: detach the pool, free the context, then free the pool
            MemorySegment e = embCtx;
            embCtx = MemorySegment.NULL;
            freeContext(e);
            MemorySegment c = ctx;
            ctx = MemorySegment.NULL;
            freeContext(c);
            if (!threadpool.equals(MemorySegment.NULL)) {
                MemorySegment tp = threadpool;
                threadpool = MemorySegment.NULL;
                lib.abi.freeThreadpool(tp);
            }
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            arena.close();
        }
    }

    private void freeContext(MemorySegment c) throws Throwable {
        if (!c.equals(MemorySegment.NULL)) {
            lib.abi.detachThreadpool(c, threadpool);
            lib.free.invokeExact(c);
        }
    }

    @Override
    public String toString() {
        return "FfmDecoder[" + owner + ", " + kvCells + " cells, " + sequenceIds + " sequence ids, context " + perSequence
                + ", batch " + nBatch + "]";
    }
}

package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.autoglm.ChatMessage;
import io.autoglm.ContextOverflowException;
import io.autoglm.LoadProgressListener;
import io.autoglm.LogitsConsumer;
import io.autoglm.ModelLoadException;
import io.autoglm.NativeException;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import io.autoglm.backend.TokenSink;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model loaded through the FFM backend: the native model, its context (and a second context for
 * embeddings, created on first use), all owned here and freed by {@link #close()}.
 *
 * <p>Threading: llama.cpp b4916's OpenMP CPU backend keeps a thread team per calling thread, so the
 * context is created, warmed up and decoded on one platform thread this model owns while open
 * ({@link DecodeThread}); callers block until their task is done. Token sinks and logits
 * consumers run on that thread. Tokenization and templates need no context and run on the
 * caller's thread. Calls are serialised by the engine; {@link #close()} waits for running calls.
 */
final class FfmModel implements BackendModel {
    private static final Logger LOG = LoggerFactory.getLogger(FfmModel.class);
    private static final int UBATCH_MAX = 512;
    private static final int TEMPLATE_MAX_BYTES = 64 << 20;

    private final LlamaLibrary lib;
    private final Path path;
    private final boolean vocabOnly;
    /** Owned by the model: the batch structs. Shared: used on the decode thread, closed by close(). */
    private final Arena arena = Arena.ofShared();
    private final DecodeThread executor;
    private final Object lifecycle = new Object();
    private int active;
    private boolean closed;
    private volatile boolean cancelRequested;

    // Written during load (on the decode thread for context state), published by Future.get().
    private MemorySegment model = MemorySegment.NULL;
    private MemorySegment vocab = MemorySegment.NULL;
    private MemorySegment ctx = MemorySegment.NULL;
    private MemorySegment embCtx = MemorySegment.NULL;
    /** ggml threadpool shared by both contexts (current generation, threads > 1), else NULL */
    private MemorySegment threadpool = MemorySegment.NULL;
    private MemorySegment batch;      // llama_batch from llama_batch_init(batchCapacity, 0, 1)
    private boolean batchAllocated;
    private MemorySegment batchToken;
    private MemorySegment batchPos;
    private MemorySegment batchLogits;
    private int batchCapacity;
    private MemorySegment single;     // llama_batch for one token, positions automatic
    private MemorySegment singleToken;
    private int nCtx;
    private int nBatch;
    private int nVocab;
    private int nEmbd;
    private int threads;
    private boolean encoderOnly;
    /** pooling of the embedding context; NONE (generative models) means mean pooling done here */
    private int embPooling;
    private String chatTemplate;

    private FfmModel(LlamaLibrary lib, Path path, boolean vocabOnly) {
        this.lib = lib;
        this.path = path;
        this.vocabOnly = vocabOnly;
        this.executor = vocabOnly ? null : new DecodeThread();
    }

    // ------------------------------------------------------------------------------------------ load

    static FfmModel load(LlamaLibrary lib, ModelSpec spec) {
        FfmModel m = new FfmModel(lib, spec.path(), false);
        long t0 = System.nanoTime();
        try {
            m.onDecodeThread(() -> {
                m.loadOnDecodeThread(spec);
                return null;
            });
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
        LOG.info("loaded {} with {} (n_ctx {}, n_batch {}, threads {}) in {} ms", spec.path(), lib.describe(), m.nCtx,
                m.nBatch, m.threads, (System.nanoTime() - t0) / 1_000_000);
        return m;
    }

    static FfmModel loadVocabOnly(LlamaLibrary lib, Path path) {
        FfmModel m = new FfmModel(lib, path, true);
        try {
            m.model = m.loadNativeModel(path, 0, true, null);
            m.initVocab();
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
        return m;
    }

    private void loadOnDecodeThread(ModelSpec spec) throws Throwable {
        model = loadNativeModel(spec.path(), spec.gpuLayers(), false, spec.progress());
        initVocab();
        nEmbd = (int) lib.modelNEmbd.invokeExact(model);
        encoderOnly = (boolean) lib.modelHasEncoder.invokeExact(model) && !(boolean) lib.modelHasDecoder.invokeExact(model);
        threads = spec.threads();
        int requestedBatch = Math.max(1, spec.batchSize());
        ctx = createContext(spec.contextSize(), requestedBatch, Math.min(requestedBatch, UBATCH_MAX), false,
                Abi.POOLING_UNSPECIFIED);
        nCtx = lib.abi.servedContext(spec.contextSize(), (int) lib.nCtx.invokeExact(ctx));
        nBatch = Math.min((int) lib.nBatch.invokeExact(ctx), nCtx);

        batchCapacity = Math.max(nCtx, nBatch);
        batch = (MemorySegment) lib.batchInit.invokeExact((SegmentAllocator) arena, batchCapacity, 0, 1);
        batchAllocated = true;
        batchToken = Structs.Batch.token(batch).reinterpret(4L * batchCapacity);
        batchPos = Structs.Batch.pos(batch).reinterpret(4L * batchCapacity);
        batchLogits = Structs.Batch.logits(batch).reinterpret(batchCapacity);
        MemorySegment nSeq = Structs.Batch.nSeqId(batch).reinterpret(4L * batchCapacity);
        MemorySegment seqIds = Structs.Batch.seqId(batch).reinterpret(ADDRESS.byteSize() * batchCapacity);
        for (int i = 0; i < batchCapacity; i++) {
            nSeq.setAtIndex(JAVA_INT, i, 1);
            seqIds.getAtIndex(ADDRESS, i).reinterpret(4).set(JAVA_INT, 0, 0); // every token in sequence 0
        }
        single = arena.allocate(Structs.Batch.LAYOUT); // zeroed: pos/seq/logits NULL = automatic
        singleToken = arena.allocate(JAVA_INT);
        Structs.Batch.nTokens(single, 1);
        Structs.Batch.TOKEN.set(single, 0L, singleToken);

        if (!encoderOnly) {
            // warm-up on this thread: the OpenMP team that later decodes is created here
            int bos = (int) lib.vocabBos.invokeExact(vocab);
            singleToken.set(JAVA_INT, 0, bos >= 0 && bos < nVocab ? bos : 0);
            int rc = (int) lib.decode.invokeExact(ctx, single);
            if (rc != 0) {
                throw new ModelLoadException("warm-up llama_decode of " + path + " failed with return code " + rc);
            }
            lib.abi.clearMemory(ctx);
        }
        if (spec.embeddings()) {
            ensureEmbeddingContext();
        }
    }

    private void initVocab() {
        try {
            vocab = (MemorySegment) lib.modelGetVocab.invokeExact(model);
            nVocab = (int) lib.vocabNTokens.invokeExact(vocab);
            MemorySegment t = (MemorySegment) lib.modelChatTemplate.invokeExact(model, MemorySegment.NULL);
            chatTemplate = t.equals(MemorySegment.NULL) ? null
                    : t.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable e) {
            throw LlamaLibrary.rethrow(e);
        }
        if (nVocab <= 0) {
            throw new ModelLoadException("model " + path + " has an empty vocabulary");
        }
    }

    private MemorySegment loadNativeModel(Path file, int gpuLayers, boolean onlyVocab, LoadProgressListener listener) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) tmp);
            ProgressBridge bridge = listener == null ? null : new ProgressBridge(listener);
            MemorySegment stub = bridge == null ? MemorySegment.NULL : bridge.stub(tmp);
            lib.abi.configureModel(params, new Abi.ModelOptions(gpuLayers, onlyVocab, true, stub));
            MemorySegment cpath = tmp.allocateFrom(file.toString());
            NativeLog.takeLastError();
            MemorySegment m = (MemorySegment) lib.modelLoadFromFile.invokeExact(cpath, params);
            if (m.equals(MemorySegment.NULL)) {
                String why = bridge != null && bridge.failure != null ? "progress listener threw " + bridge.failure
                        : NativeLog.takeErrors();
                if (why.contains("unknown model architecture")) {
                    why += " (llama.cpp " + lib.abi.generation() + " does not know architecture '" + architectureOf(file)
                            + "': point nativeLibrary(Path), -Dautoglm.native.library or AUTOGLM_NATIVE_LIBRARY at a newer"
                            + " llama.cpp build)";
                }
                throw new ModelLoadException("llama_model_load_from_file(" + file + ", vocab_only=" + onlyVocab
                        + ") returned NULL with " + lib.describe() + (why.isEmpty() ? "" : ": " + why), bridge == null ? null : bridge.failure);
            }
            return m;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("loading " + file + " failed: " + t, t);
        }
    }

    private static String architectureOf(Path file) {
        try (io.autoglm.gguf.GgufFile f = io.autoglm.gguf.GgufFile.open(file)) {
            return f.architecture().orElse("?");
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private MemorySegment createContext(int ctxSize, int batchSize, int ubatch, boolean embeddings, int pooling) throws Throwable {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) tmp);
            lib.abi.configureContext(params, new Abi.ContextOptions(ctxSize, batchSize, ubatch, threads, embeddings, pooling));
            NativeLog.takeLastError();
            MemorySegment c = (MemorySegment) lib.initFromModel.invokeExact(model, params);
            if (c.equals(MemorySegment.NULL)) {
                String why = NativeLog.takeLastError();
                throw new ModelLoadException("llama_init_from_model(n_ctx=" + ctxSize + ", n_batch=" + batchSize
                        + ", embeddings=" + embeddings + ") returned NULL for " + path + (why.isEmpty() ? "" : ": " + why));
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
    }

    private void ensureEmbeddingContext() throws Throwable {
        if (!embCtx.equals(MemorySegment.NULL)) {
            return;
        }
        // non-causal models need the whole input in one micro-batch: n_batch = n_ubatch = n_ctx
        MemorySegment c = createContext(nCtx, nCtx, nCtx, true, Abi.POOLING_UNSPECIFIED);
        embPooling = (int) lib.poolingType.invokeExact(c);
        embCtx = c;
    }

    /** Upcall target for {@code llama_model_params.progress_callback}. */
    private static final class ProgressBridge {
        private final LoadProgressListener listener;
        private Throwable failure;

        ProgressBridge(LoadProgressListener listener) {
            this.listener = listener;
        }

        MemorySegment stub(Arena arena) throws ReflectiveOperationException {
            MethodHandle target = MethodHandles.lookup().findVirtual(ProgressBridge.class, "onProgress",
                    MethodType.methodType(boolean.class, float.class, MemorySegment.class)).bindTo(this);
            return Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_BOOLEAN, JAVA_FLOAT, ADDRESS), arena);
        }

        @SuppressWarnings("unused")
        boolean onProgress(float fraction, MemorySegment userData) {
            try {
                listener.onProgress(Math.max(0f, Math.min(1f, fraction)));
                return true;
            } catch (Throwable t) {
                failure = t;
                return false; // llama.cpp aborts the load
            }
        }
    }

    // ------------------------------------------------------------------------------------- lifecycle

    private void enter() {
        synchronized (lifecycle) {
            // a sink or consumer running on the decode thread may still call back while close() waits for it
            if (closed && (executor == null || !executor.isCurrent())) {
                throw new IllegalStateException("closed: " + this);
            }
            active++;
        }
    }

    private void exit() {
        synchronized (lifecycle) {
            if (--active == 0) {
                lifecycle.notifyAll();
            }
        }
    }

    private void requireContext() {
        if (vocabOnly) {
            throw new IllegalStateException("vocabulary-only model has no context: " + this);
        }
    }

    /** A piece of native work that runs on the decode thread. */
    @FunctionalInterface
    private interface NativeTask<T> {
        T run() throws Throwable;
    }

    private <T> T onDecodeThread(NativeTask<T> task) {
        if (executor != null && executor.isCurrent()) {
            try {
                return task.run();
            } catch (Throwable t) {
                throw LlamaLibrary.rethrow(t);
            }
        }
        Future<T> f = executor.submit(() -> {
            try {
                return task.run();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancelRequested = true; // generation stops at the next token; never abandon native work
                } catch (ExecutionException e) {
                    throw LlamaLibrary.rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        boolean onDecode = executor != null && executor.isCurrent();
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (onDecode) {
                // called from a sink/consumer: free after the running task, without waiting for ourselves
                executor.submit(() -> {
                    freeNative();
                    return null;
                });
                executor.shutdown();
                return;
            }
            boolean interrupted = false;
            while (active > 0) {
                try {
                    lifecycle.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (executor == null) {
            freeNative();
        } else {
            Future<?> f = executor.submit(() -> {
                    freeNative();
                    return null;
                });
            executor.shutdown();
            try {
                f.get();
                executor.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warn("freeing native memory of {} failed", this, e.getCause());
            }
        }
    }

    /** Frees native state in reverse order of creation; runs on the decode thread (or the caller for vocab-only). */
    private void freeNative() {
        try {
            if (batchAllocated) {
                batchAllocated = false;
                lib.batchFree.invokeExact(batch);
            }
            // order: detach the pool, free the context, then free the pool, then the model
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
            if (!model.equals(MemorySegment.NULL)) {
                MemorySegment m = model;
                model = MemorySegment.NULL;
                vocab = MemorySegment.NULL;
                lib.modelFree.invokeExact(m);
            }
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            arenaClose();
        }
    }

    /** Detaches the thread pool from a context and frees it; does nothing for {@code NULL}. */
    private void freeContext(MemorySegment c) throws Throwable {
        if (!c.equals(MemorySegment.NULL)) {
            lib.abi.detachThreadpool(c, threadpool);
            lib.free.invokeExact(c);
        }
    }

    private void arenaClose() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ------------------------------------------------------------------------------------ metadata

    @Override
    public String backendName() {
        return "ffm";
    }

    @Override
    public String nativeLibrary() {
        return lib.describe();
    }

    /** @return whether a ggml threadpool is attached to this model's contexts (current generation, threads &gt; 1) */
    boolean hasThreadpool() {
        return !threadpool.equals(MemorySegment.NULL);
    }

    /** @return the ABI generation serving this model, e.g. {@code b4916} */
    String abiGeneration() {
        return lib.abi.generation();
    }

    @Override
    public int contextSize() {
        return nCtx;
    }

    @Override
    public int vocabSize() {
        return nVocab;
    }

    @Override
    public int embeddingLength() {
        return nEmbd;
    }

    /** @return the batch size actually used (at most the context size) */
    int batchSize() {
        return nBatch;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public String toString() {
        return "FfmModel[" + path + ", llama.cpp " + lib.abi.generation() + (vocabOnly ? ", vocab only" : "") + "]";
    }

    // ---------------------------------------------------------------------------------- vocabulary

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment in = tmp.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, in, JAVA_BYTE, 0, utf8.length);
            int cap = utf8.length + 4;
            MemorySegment out = tmp.allocate(JAVA_INT, cap);
            int n = (int) lib.tokenize.invokeExact(vocab, in, utf8.length, out, cap, addSpecial, parseSpecial);
            if (n < 0) {
                if (n == Integer.MIN_VALUE) {
                    throw new IllegalArgumentException("text of " + utf8.length + " bytes gives more tokens than llama_tokenize can count");
                }
                cap = -n;
                out = tmp.allocate(JAVA_INT, cap);
                n = (int) lib.tokenize.invokeExact(vocab, in, utf8.length, out, cap, addSpecial, parseSpecial);
                if (n < 0) {
                    throw new NativeException("llama_tokenize", utf8.length + " bytes, n_tokens_max=" + cap, n);
                }
            }
            return out.asSlice(0, 4L * n).toArray(JAVA_INT);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    private void checkToken(int token) {
        if (token < 0 || token >= nVocab) {
            throw new IllegalArgumentException("token id must be in [0, " + nVocab + "), was " + token);
        }
    }

    private void checkTokens(int[] tokens, String what) {
        Objects.requireNonNull(tokens, what);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= nVocab) {
                throw new IllegalArgumentException(what + "[" + i + "] must be a token id in [0, " + nVocab + "), was " + tokens[i]);
            }
        }
    }

    @Override
    public byte[] tokenBytes(int token) {
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            checkToken(token);
            int cap = 64;
            MemorySegment buf = tmp.allocate(cap);
            int n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, true);
            if (n < 0) {
                cap = -n;
                buf = tmp.allocate(cap);
                n = (int) lib.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, true);
                if (n < 0) {
                    throw new NativeException("llama_token_to_piece", "token=" + token + ", length=" + cap, n);
                }
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        enter();
        try {
            checkToken(token);
            return (boolean) lib.vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    @Override
    public String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(messages, "messages");
        enter();
        try (Arena tmp = Arena.ofConfined()) {
            int n = messages.size();
            MemorySegment chat = tmp.allocate(Structs.ChatMessage.LAYOUT, Math.max(1, n));
            long total = template.length();
            for (int i = 0; i < n; i++) {
                ChatMessage m = Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
                MemorySegment e = chat.asSlice(i * Structs.ChatMessage.LAYOUT.byteSize(), Structs.ChatMessage.LAYOUT);
                Structs.ChatMessage.ROLE.set(e, 0L, tmp.allocateFrom(m.role()));
                Structs.ChatMessage.CONTENT.set(e, 0L, tmp.allocateFrom(m.content()));
                total += m.role().length() + m.content().length();
            }
            MemorySegment tmpl = tmp.allocateFrom(template);
            int cap = (int) Math.min(TEMPLATE_MAX_BYTES, 2 * total + 512);
            MemorySegment buf = tmp.allocate(cap);
            int len = (int) lib.chatApplyTemplate.invokeExact(tmpl, chat, (long) n, addAssistant, buf, cap);
            if (len < 0) {
                throw new IllegalArgumentException("chat template not supported by llama.cpp " + lib.abi.generation()
                        + " (give a built-in name such as \"chatml\" or \"llama2\"): " + abbreviate(template));
            }
            if (len > cap) {
                cap = len;
                buf = tmp.allocate(cap);
                len = (int) lib.chatApplyTemplate.invokeExact(tmpl, chat, (long) n, addAssistant, buf, cap);
                if (len < 0 || len > cap) {
                    throw new NativeException("llama_chat_apply_template", n + " messages, length=" + cap, len);
                }
            }
            return new String(buf.asSlice(0, len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw LlamaLibrary.rethrow(t);
        } finally {
            exit();
        }
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 80 ? '"' + one + '"' : '"' + one.substring(0, 77) + "...\"";
    }

    /** See {@link FfmDiagnostics#onDecodeThread}. */
    <T> T withNativeContext(FfmDiagnostics.ContextCall<T> call) {
        Objects.requireNonNull(call, "call");
        if (executor != null && executor.isCurrent()) {
            // from a sink or consumer: clearing the KV memory would wipe the request that is running
            throw new IllegalStateException("native context calls cannot be made from the decode thread (from a sink or "
                    + "consumer of a running request): " + this);
        }
        enter();
        try {
            requireContext();
            return onDecodeThread(() -> {
                lib.abi.clearMemory(ctx);
                return call.call(ctx, vocab, lib.path);
            });
        } finally {
            exit();
        }
    }

    // ---------------------------------------------------------------------------------- generation

    @Override
    public GenerationResult generate(GenerationSpec spec, TokenSink sink) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(spec.sampling(), "spec.sampling");
        enter();
        try {
            requireContext();
            int[] prompt = spec.prompt();
            checkTokens(prompt, "prompt");
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt must contain at least one token");
            }
            if (prompt.length > nCtx) {
                throw new ContextOverflowException(prompt.length, nCtx);
            }
            if (spec.grammar() != null && spec.grammar().isBlank()) {
                throw new IllegalArgumentException("grammar must not be blank (pass null for no grammar)");
            }
            if (spec.maxTokens() < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0, was " + spec.maxTokens());
            }
            cancelRequested = false;
            return onDecodeThread(() -> doGenerate(spec, sink));
        } finally {
            exit();
        }
    }

    private GenerationResult doGenerate(GenerationSpec spec, TokenSink sink) throws Throwable {
        MemorySegment smpl = buildSampler(spec.sampling(), spec.grammar());
        try {
            int[] prompt = spec.prompt();
            lib.abi.clearMemory(ctx);
            long t0 = System.nanoTime();
            prefill(prompt, false);
            long t1 = System.nanoTime();
            int nPast = prompt.length;
            int generated = 0;
            int maxTokens = spec.maxTokens();
            boolean ignoreEos = spec.ignoreEos();
            MethodHandle sample = lib.samplerSample;
            MethodHandle isEog = lib.vocabIsEog;
            MethodHandle decode = lib.decode;
            MemorySegment context = ctx;
            MemorySegment voc = vocab;
            MemorySegment one = single;
            MemorySegment oneToken = singleToken;
            GenerationResult.End end;
            while (true) {
                if (generated >= maxTokens) {
                    end = GenerationResult.End.LENGTH;
                    break;
                }
                int tok = (int) sample.invokeExact(smpl, context, -1);
                if (!ignoreEos && (boolean) isEog.invokeExact(voc, tok)) {
                    end = GenerationResult.End.END_OF_GENERATION;
                    break;
                }
                generated++;
                if (!sink.accept(tok) || cancelRequested) {
                    end = GenerationResult.End.SINK_STOPPED;
                    break;
                }
                if (generated >= maxTokens) {
                    end = GenerationResult.End.LENGTH;
                    break;
                }
                if (nPast >= nCtx) {
                    end = GenerationResult.End.CONTEXT_FULL;
                    break;
                }
                oneToken.set(JAVA_INT, 0, tok);
                int rc = (int) decode.invokeExact(context, one);
                if (rc != 0) {
                    throw new NativeException("llama_decode", "1 token at position " + nPast, rc);
                }
                nPast++;
            }
            long t2 = System.nanoTime();
            return new GenerationResult(prompt.length, generated, (t1 - t0) / 1e6, (t2 - t1) / 1e6, end);
        } finally {
            lib.samplerFree.invokeExact(smpl);
        }
    }

    /** Evaluates tokens from position 0 in chunks of n_batch; logits for the last token only, or for all. */
    private void prefill(int[] tokens, boolean allLogits) throws Throwable {
        for (int start = 0; start < tokens.length; start += nBatch) {
            int n = Math.min(nBatch, tokens.length - start);
            fillBatch(tokens, start, n, allLogits);
            int rc = (int) lib.decode.invokeExact(ctx, batch);
            if (rc != 0) {
                throw new NativeException("llama_decode", n + " tokens at position " + start, rc);
            }
        }
    }

    private void fillBatch(int[] tokens, int start, int n, boolean allLogits) {
        MemorySegment.copy(tokens, start, batchToken, JAVA_INT, 0, n);
        for (int i = 0; i < n; i++) {
            batchPos.setAtIndex(JAVA_INT, i, start + i);
            batchLogits.set(JAVA_BYTE, i, (byte) (allLogits || i == n - 1 ? 1 : 0));
        }
        Structs.Batch.nTokens(batch, n);
    }

    private MemorySegment buildSampler(SamplingParams p, String grammar) throws Throwable {
        MemorySegment chain;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cp = tmp.allocate(Structs.SamplerChainParams.LAYOUT);
            Structs.SamplerChainParams.NO_PERF.set(cp, 0L, true);
            chain = (MemorySegment) lib.samplerChainInit.invokeExact(cp);
        }
        try {
            if (grammar != null) {
                MemorySegment g;
                try (Arena tmp = Arena.ofConfined()) {
                    NativeLog.takeLastError();
                    g = (MemorySegment) lib.samplerInitGrammar.invokeExact(vocab, tmp.allocateFrom(grammar),
                            tmp.allocateFrom("root"));
                }
                if (!g.equals(MemorySegment.NULL) && !lib.abi.grammarAccepted(g, vocab)) {
                    lib.samplerFree.invokeExact(g);
                    g = MemorySegment.NULL;
                }
                if (g.equals(MemorySegment.NULL)) {
                    String why = NativeLog.takeLastError();
                    throw new IllegalArgumentException("grammar rejected by llama.cpp's GBNF parser"
                            + (why.isEmpty() ? "" : " (" + why + ")") + ": " + abbreviate(grammar));
                }
                add(chain, g);
            }
            if (p.isGreedy()) {
                add(chain, (MemorySegment) lib.samplerInitGreedy.invokeExact());
            } else {
                if (p.hasPenalties()) {
                    add(chain, lib.abi.initPenalties(nVocab, p.repeatLastN() < 0 ? nCtx : p.repeatLastN(), p.repeatPenalty(), p.frequencyPenalty(),
                            p.presencePenalty()));
                }
                if (p.topK() > 0) {
                    add(chain, (MemorySegment) lib.samplerInitTopK.invokeExact(p.topK()));
                }
                if (p.topP() < 1f) {
                    add(chain, (MemorySegment) lib.samplerInitTopP.invokeExact(p.topP(), 1L));
                }
                if (p.minP() > 0f) {
                    add(chain, (MemorySegment) lib.samplerInitMinP.invokeExact(p.minP(), 1L));
                }
                add(chain, (MemorySegment) lib.samplerInitTemp.invokeExact(p.temperature()));
                add(chain, (MemorySegment) lib.samplerInitDist.invokeExact((int) p.seed()));
            }
            return chain;
        } catch (Throwable t) {
            lib.samplerFree.invokeExact(chain); // frees the samplers already added
            throw t;
        }
    }

    private void add(MemorySegment chain, MemorySegment sampler) throws Throwable {
        if (sampler.equals(MemorySegment.NULL)) {
            throw new NativeException("llama_sampler_init_*", "sampler for chain", 0);
        }
        lib.samplerChainAdd.invokeExact(chain, sampler);
    }

    // ---------------------------------------------------------------------------- embeddings, logits

    @Override
    public float[] embed(int[] tokens, boolean normalize) {
        enter();
        try {
            requireContext();
            checkTokens(tokens, "tokens");
            if (tokens.length == 0) {
                throw new IllegalArgumentException("tokens must not be empty");
            }
            if (tokens.length > nCtx) {
                throw new ContextOverflowException(tokens.length, nCtx);
            }
            return onDecodeThread(() -> doEmbed(tokens, normalize));
        } finally {
            exit();
        }
    }

    private float[] doEmbed(int[] tokens, boolean normalize) throws Throwable {
        ensureEmbeddingContext();
        lib.abi.clearMemory(embCtx);
        fillBatch(tokens, 0, tokens.length, true);
        int rc = encoderOnly ? (int) lib.encode.invokeExact(embCtx, batch) : (int) lib.decode.invokeExact(embCtx, batch);
        if (rc != 0) {
            throw new NativeException(encoderOnly ? "llama_encode" : "llama_decode", tokens.length + " tokens (embeddings)", rc);
        }
        float[] out;
        if (embPooling == Abi.POOLING_NONE) {
            // A generative model has no pooling of its own. b4916's MEAN pooling graph aborts
            // (GGML_ASSERT in ggml_mul_mat) for such models, so the per-token embeddings are averaged here.
            out = new float[nEmbd];
            long bytes = 4L * nEmbd;
            for (int i = 0; i < tokens.length; i++) {
                MemorySegment row = (MemorySegment) lib.getEmbeddingsIth.invokeExact(embCtx, i);
                if (row.equals(MemorySegment.NULL)) {
                    throw new NativeException("llama_get_embeddings_ith", "i=" + i, 0);
                }
                row = row.reinterpret(bytes);
                for (int j = 0; j < nEmbd; j++) {
                    out[j] += row.getAtIndex(JAVA_FLOAT, j);
                }
            }
            for (int j = 0; j < nEmbd; j++) {
                out[j] /= tokens.length;
            }
        } else {
            MemorySegment e = (MemorySegment) lib.getEmbeddingsSeq.invokeExact(embCtx, 0);
            if (e.equals(MemorySegment.NULL)) {
                throw new NativeException("llama_get_embeddings_seq", "seq 0, pooling " + embPooling, 0);
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

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        enter();
        try {
            requireContext();
            checkTokens(tokens, "tokens");
            if (tokens.length > nCtx) {
                throw new ContextOverflowException(tokens.length, nCtx);
            }
            onDecodeThread(() -> {
                doEvaluate(tokens, consumer);
                return null;
            });
        } finally {
            exit();
        }
    }

    private void doEvaluate(int[] tokens, LogitsConsumer consumer) throws Throwable {
        lib.abi.clearMemory(ctx);
        float[] logits = new float[nVocab];
        long bytes = 4L * nVocab;
        for (int start = 0; start < tokens.length; start += nBatch) {
            int n = Math.min(nBatch, tokens.length - start);
            fillBatch(tokens, start, n, true);
            int rc = (int) lib.decode.invokeExact(ctx, batch);
            if (rc != 0) {
                throw new NativeException("llama_decode", n + " tokens at position " + start + " (all logits)", rc);
            }
            for (int i = 0; i < n; i++) {
                MemorySegment row = (MemorySegment) lib.getLogitsIth.invokeExact(ctx, i);
                if (row.equals(MemorySegment.NULL)) {
                    throw new NativeException("llama_get_logits_ith", "i=" + i, 0);
                }
                MemorySegment.copy(row.reinterpret(bytes), JAVA_FLOAT, 0, logits, 0, nVocab);
                consumer.accept(start + i, logits);
            }
        }
    }
}

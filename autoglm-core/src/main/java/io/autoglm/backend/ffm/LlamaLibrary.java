package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.autoglm.ModelLoadException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The llama.cpp C API of one loaded shared library: method handles resolved once, when the library
 * is first used, and kept for the life of the JVM (a library is never unloaded). One instance per
 * library file ({@link #open}); the ABI generation is probed first and its differences are
 * delegated to {@link #abi}. {@code llama_log_set} and {@code llama_backend_init} run once per
 * library, here.
 */
final class LlamaLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaLibrary.class);
    private static final Map<Path, LlamaLibrary> OPEN = new ConcurrentHashMap<>();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option[] NONE = {};
    /** For short calls that never call back into Java nor block: no thread-state transition. */
    private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};

    final Path path;
    final Abi abi;
    private final SymbolLookup lookup;

    /** {@link LayoutAbi} generations only (null with the shim): default params, load, context, batch, decode */
    final MethodHandle modelDefaultParams;
    final MethodHandle contextDefaultParams;
    final MethodHandle modelLoadFromFile;
    final MethodHandle initFromModel;
    final MethodHandle batchInit;
    final MethodHandle batchFree;
    final MethodHandle decode;
    final MethodHandle encode;
    final MethodHandle modelFree;
    final MethodHandle free;
    final MethodHandle modelGetVocab;
    final MethodHandle vocabNTokens;
    final MethodHandle modelNEmbd;
    final MethodHandle nCtx;
    final MethodHandle nBatch;
    final MethodHandle tokenize;
    final MethodHandle tokenToPiece;
    final MethodHandle vocabIsEog;
    final MethodHandle vocabIsControl;
    final MethodHandle modelNCtxTrain;
    final MethodHandle samplerInitLogitBias;
    final MethodHandle vocabBos;
    final MethodHandle modelChatTemplate;
    final MethodHandle chatApplyTemplate;
    final MethodHandle getLogitsIth;
    final MethodHandle getEmbeddingsSeq;
    final MethodHandle getEmbeddingsIth;
    final MethodHandle poolingType;
    final MethodHandle modelHasEncoder;
    final MethodHandle modelHasDecoder;
    final MethodHandle samplerChainInit;
    final MethodHandle samplerChainAdd;
    final MethodHandle samplerInitGreedy;
    final MethodHandle samplerInitDist;
    final MethodHandle samplerInitTopK;
    final MethodHandle samplerInitTopP;
    final MethodHandle samplerInitMinP;
    final MethodHandle samplerInitTemp;
    final MethodHandle samplerInitGrammar;
    final MethodHandle samplerSample;
    final MethodHandle samplerApply;
    final MethodHandle samplerAccept;
    final MethodHandle samplerFree;

    private LlamaLibrary(Path path) {
        this.path = path;
        try {
            this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("cannot load native library " + path + ": " + e.getMessage(), e);
        }
        this.abi = Abi.probe(path, lookup);
        if (abi instanceof LayoutAbi layouts) {
            var mp = layouts.modelParamsLayout();
            var cp = layouts.contextParamsLayout();
            modelDefaultParams = h("llama_model_default_params", FunctionDescriptor.of(mp));
            contextDefaultParams = h("llama_context_default_params", FunctionDescriptor.of(cp));
            modelLoadFromFile = h("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, mp));
            initFromModel = h("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, cp));
            batchInit = h("llama_batch_init", FunctionDescriptor.of(Structs.Batch.LAYOUT, JAVA_INT, JAVA_INT, JAVA_INT));
            batchFree = h("llama_batch_free", FunctionDescriptor.ofVoid(Structs.Batch.LAYOUT));
            decode = h("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, Structs.Batch.LAYOUT));
            encode = h("llama_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, Structs.Batch.LAYOUT));
        } else {
            // the shim creates models and contexts, owns the batches and makes the per-step call
            modelDefaultParams = null;
            contextDefaultParams = null;
            modelLoadFromFile = null;
            initFromModel = null;
            batchInit = null;
            batchFree = null;
            decode = null;
            encode = null;
        }
        modelFree = h("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        free = h("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = h("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS), CRITICAL);
        vocabNTokens = h("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        modelNEmbd = h("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        nCtx = h("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        nBatch = h("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        tokenize = h("llama_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = h("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_BOOLEAN), CRITICAL);
        vocabIsEog = h("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT), CRITICAL);
        vocabIsControl = h("llama_vocab_is_control", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT), CRITICAL);
        modelNCtxTrain = h("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        samplerInitLogitBias = h("llama_sampler_init_logit_bias", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        vocabBos = h("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        modelChatTemplate = h("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        chatApplyTemplate = h("llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        getLogitsIth = h("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), CRITICAL);
        getEmbeddingsSeq = h("llama_get_embeddings_seq", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), CRITICAL);
        getEmbeddingsIth = h("llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), CRITICAL);
        poolingType = h("llama_pooling_type", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
        modelHasEncoder = h("llama_model_has_encoder", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS), CRITICAL);
        modelHasDecoder = h("llama_model_has_decoder", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS), CRITICAL);
        samplerChainInit = h("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, Structs.SamplerChainParams.LAYOUT));
        samplerChainAdd = h("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        samplerInitGreedy = h("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        samplerInitDist = h("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopK = h("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopP = h("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitMinP = h("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitTemp = h("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        samplerInitGrammar = h("llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        samplerSample = h("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        samplerFree = h("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
        samplerApply = h("llama_sampler_apply", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        samplerAccept = h("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));

        // logging first, so backend init and everything after it goes to SLF4J, never to stderr
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(NativeLog.class, "log",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = LINKER.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS),
                    Arena.global()); // tiny, and the library keeps the pointer for the life of the process
            MethodHandle logSet = h("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
            logSet.invokeExact(stub, MemorySegment.NULL);
            MethodHandle backendInit = h("llama_backend_init", FunctionDescriptor.ofVoid());
            backendInit.invokeExact();
        } catch (ModelLoadException e) {
            throw e;
        } catch (Throwable t) {
            throw new ModelLoadException("initialising llama.cpp library " + path + " failed: " + t, t);
        }
        abi.afterBackendInit(path);
        if (abi instanceof AbiShim shim) {
            LOG.info("loaded llama.cpp library {} (release {}) through the AutoGLM shim {} ({})", path, abi.version(),
                    shim.shimPath(), shim.features());
        } else {
            LOG.info("loaded llama.cpp library {} (ABI generation {})", path, abi.generation());
        }
    }

    /**
     * @param library path of a llama.cpp shared library
     * @return the library's handles; loaded, probed and initialised on first use
     * @throws ModelLoadException when it cannot be loaded or is not a supported llama.cpp build
     */
    static LlamaLibrary open(Path library) {
        Path key;
        try {
            key = library.toRealPath();
        } catch (java.io.IOException e) {
            throw new ModelLoadException("native library " + library + " not found: " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(key)) {
            throw new ModelLoadException("native library " + library + " is not a file");
        }
        LlamaLibrary lib = OPEN.get(key);
        if (lib != null) {
            return lib;
        }
        synchronized (OPEN) {
            return OPEN.computeIfAbsent(key, LlamaLibrary::new);
        }
    }

    private MethodHandle h(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment replaced = abi == null ? MemorySegment.NULL : abi.replacement(name);
        MemorySegment addr = !replaced.equals(MemorySegment.NULL) ? replaced : lookup.find(name).orElseThrow(
                () -> new ModelLoadException("native library " + path + " lacks " + name));
        return LINKER.downcallHandle(addr, fd, options.length == 0 ? NONE : options);
    }

    /** One ggml backend device of the library. */
    record DeviceInfo(String registry, String name, String description) {
        @Override
        public String toString() {
            return registry + " (" + name + (description.isEmpty() || description.equals(name) ? "" : ", " + description) + ")";
        }
    }

    /**
     * @return the ggml devices this library can run on (after its backends are loaded); empty when the library does not
     *     export ggml's device API
     */
    java.util.List<DeviceInfo> devices() {
        java.util.List<DeviceInfo> out = new java.util.ArrayList<>();
        for (String sym : java.util.List.of("ggml_backend_dev_count", "ggml_backend_dev_get", "ggml_backend_dev_name",
                "ggml_backend_dev_description", "ggml_backend_dev_backend_reg", "ggml_backend_reg_name")) {
            if (lookup.find(sym).isEmpty()) {
                return out;
            }
        }
        try {
            MethodHandle count = h("ggml_backend_dev_count", FunctionDescriptor.of(JAVA_LONG));
            MethodHandle get = h("ggml_backend_dev_get", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            MethodHandle name = h("ggml_backend_dev_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
            MethodHandle description = h("ggml_backend_dev_description", FunctionDescriptor.of(ADDRESS, ADDRESS));
            MethodHandle reg = h("ggml_backend_dev_backend_reg", FunctionDescriptor.of(ADDRESS, ADDRESS));
            MethodHandle regName = h("ggml_backend_reg_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
            long n = (long) count.invokeExact();
            for (long i = 0; i < n && i < 64; i++) {
                MemorySegment dev = (MemorySegment) get.invokeExact(i);
                if (dev.equals(MemorySegment.NULL)) {
                    continue;
                }
                MemorySegment r = (MemorySegment) reg.invokeExact(dev);
                String rn = r.equals(MemorySegment.NULL) ? "?" : cString((MemorySegment) regName.invokeExact(r));
                out.add(new DeviceInfo(rn, cString((MemorySegment) name.invokeExact(dev)),
                        cString((MemorySegment) description.invokeExact(dev))));
            }
            return out;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String cString(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(1024).getString(0, java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    /**
     * @return a description for messages and {@code BackendModel.nativeLibrary()}: the file, the llama.cpp
     *     generation or release, and the seam that serves it, e.g. {@code .../libjllama.so (llama.cpp b4916; seam:
     *     bundled layout)} or {@code .../libllama.so (llama.cpp b10256-6c8dcaa; seam: shim .../libautoglm_shim.so)}
     */
    String describe() {
        String what = abi instanceof AbiShim ? abi.version()
                : abi.generation() + (abi.version().equals(abi.generation()) ? "" : " ABI, version " + abi.version());
        return path + " (llama.cpp " + what + "; seam: " + abi.seam(path) + ")";
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

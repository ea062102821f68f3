package io.autoglm;

import io.autoglm.backend.ModelSpec;
import io.autoglm.engine.Engines;
import io.autoglm.hub.ModelHub;
import io.autoglm.hub.ModelReference;
import io.autoglm.internal.IsolationProbes;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Entry point: builds a {@link LanguageModel} from a GGUF file, or from a model reference (a catalog name such as
 * {@code stories260k}, {@code hf://owner/repo/file.gguf}, an {@code https://} URL) that {@link ModelHub} resolves to
 * one: cached, found on {@code AUTOGLM_MODELS}, or downloaded.
 *
 * <pre>{@code
 * try (LanguageModel model = AutoGLM.builder()
 *         .model(Path.of("models/stories260K.gguf"))
 *         .backend(Backend.FFM)
 *         .threads(2)
 *         .contextSize(512)
 *         .build()) {
 *     Completion c = model.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(32).build());
 *     System.out.println(c.text());
 * }
 * }</pre>
 *
 * The FFM backend needs native access: start the JVM with {@code --enable-native-access=ALL-UNNAMED}
 * (or the module name), or use {@link Backend#JNI}.
 */
public final class AutoGLM {
    private AutoGLM() {
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads and probes a llama.cpp build for the FFM backend without loading a model.
     *
     * @param library a {@code libllama} file or the folder holding it; null for the configured
     *     default (system property {@code autoglm.native.library}, else the environment variable
     *     {@code AUTOGLM_NATIVE_LIBRARY}, else the bundled b4916)
     * @return the library's path, llama.cpp release and the seam that serves it, as {@link ModelInfo#nativeLibrary()} reports it
     * @throws ModelLoadException when it cannot be loaded or is not a supported llama.cpp build
     */
    public static String describeNativeLibrary(Path library) {
        return Engines.describeNativeLibrary(library);
    }

    /**
     * Options for loading a model. Setters validate at once.
     *
     * <p>Serving many callers: {@link #parallel(int)} sequences are decoded together in one native
     * call (continuous batching); each has its own context window of {@link #contextSize(int)} tokens,
     * so the KV cache holds {@code parallel × contextSize} cells plus {@link #prefixCacheTokens(int)}
     * cells for cached prompt prefixes. {@code parallel(1)} with {@code prefixCache(false)} decodes
     * exactly as one request at a time.
     */
    public static final class Builder {
        private final ModelSpec.Builder spec = ModelSpec.builder();
        private IsolationProbe isolationProbe = IsolationProbe.configuredDefault();
        private String modelReference;
        private ModelHub modelHub;

        private Builder() {
        }

        /** @param v the GGUF file (used as it is; replaces an earlier {@link #model(String)}) @return this */
        public Builder model(Path v) {
            spec.path(Objects.requireNonNull(v, "model"));
            modelReference = null;
            return this;
        }

        /**
         * @param reference a model reference, resolved by {@link #modelHub(ModelHub)} when {@link #build()} runs: a
         *     path, {@code hf://owner/repo/path/file.gguf[@revision]}, an {@code https://} URL or a catalog name such
         *     as {@code stories260k} (replaces an earlier {@link #model(Path)})
         * @return this
         * @throws IllegalArgumentException when the reference is blank or malformed
         */
        public Builder model(String reference) {
            Objects.requireNonNull(reference, "model");
            ModelReference.parse(reference);
            modelReference = reference; // wins over an earlier model(Path) when build() runs
            return this;
        }

        /**
         * @param v resolves {@link #model(String)} references (default: {@code ModelHub.builder().build()}, with the
         *     settings of the environment)
         * @return this
         */
        public Builder modelHub(ModelHub v) {
            modelHub = Objects.requireNonNull(v, "modelHub");
            return this;
        }

        /** @param v the backend (default {@link Backend#FFM}) @return this */
        public Builder backend(Backend v) {
            spec.backend(Objects.requireNonNull(v, "backend"));
            return this;
        }

        /** @param v CPU threads for decoding, 1..512 (default: cores, at most 8) @return this */
        public Builder threads(int v) {
            spec.threads(v);
            return this;
        }

        /**
         * @param v context window of each sequence in tokens, 0 for the model's trained length, else
         *     16..1048576 (default 2048)
         * @return this
         */
        public Builder contextSize(int v) {
            spec.contextSize(v);
            return this;
        }

        /** @param v logical batch size: most tokens one native decode call takes, 1..65536 (default 512) @return this */
        public Builder batchSize(int v) {
            spec.batchSize(v);
            return this;
        }

        /** @param v physical batch size (micro-batch) of one native computation, 1..65536, at most the batch size (default 512) @return this */
        public Builder ubatchSize(int v) {
            spec.ubatchSize(v);
            return this;
        }

        /**
         * @param v sequences decoded together, 1..64 (default 4); backends that cannot batch (JNI)
         *     serve one at a time whatever this says
         * @return this
         */
        public Builder parallel(int v) {
            spec.parallel(v);
            return this;
        }

        /** @param v keep the KV cells of prompts and replies and reuse their longest prefix for later requests (default true) @return this */
        public Builder prefixCache(boolean v) {
            spec.prefixCache(v);
            return this;
        }

        /** @param v KV cells set aside for cached prefixes beyond the running sequences, &gt;= 0 (default: one context's worth) @return this */
        public Builder prefixCacheTokens(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("prefixCacheTokens must be >= 0, was " + v);
            }
            spec.prefixCacheTokens(v);
            return this;
        }

        /**
         * @param v KV cells of the whole cache, 0 for the default ({@code parallel × contextSize +
         *     prefixCacheTokens}), else 16..1073741824 and at least one context's worth. A smaller cache
         *     saves memory when most requests are shorter than the context: when the sequences outgrow
         *     it, cached prefixes are dropped and then the newest sequence is paused and recomputed later
         * @return this
         */
        public Builder kvCacheTokens(int v) {
            spec.kvCacheTokens(v);
            return this;
        }

        /**
         * @param v where the layers run: {@link Device#CPU} keeps them all on the CPU; a GPU device offloads every layer
         *     (or {@link #gpuLayers(int)} of them) and needs a llama.cpp build with that backend, else {@link #build()}
         *     throws a {@link ModelLoadException} naming how to get one ({@code native/GPU.md}). Default: none named,
         *     {@link #gpuLayers(int)} decides
         * @return this
         */
        public Builder device(Device v) {
            spec.device(Objects.requireNonNull(v, "device"));
            return this;
        }

        /**
         * @param v true to compute attention with llama.cpp's flash-attention kernels (default false). Offered on the
         *     current llama.cpp generation ({@link #nativeLibrary(Path)}); the bundled b4916 refuses it when loading
         * @return this
         */
        public Builder flashAttention(boolean v) {
            spec.flashAttention(v);
            return this;
        }

        /** @param v layers to offload to a GPU when the native library has one, &gt;= 0 (default 0) @return this */
        public Builder gpuLayers(int v) {
            spec.gpuLayers(v);
            return this;
        }

        /**
         * @param v a llama.cpp build to use instead of the library inside {@code de.kherud:llama}: the
         *     {@code libllama} file or the folder holding it and its ggml libraries (FFM backend only)
         * @return this
         */
        public Builder nativeLibrary(Path v) {
            spec.nativeLibrary(Objects.requireNonNull(v, "nativeLibrary"));
            return this;
        }

        /** @param v precision to run at (default {@link Quantization#NONE}: as stored) @return this */
        public Builder quantization(Quantization v) {
            spec.quantization(Objects.requireNonNull(v, "quantization"));
            return this;
        }

        /** @param bytes memory budget for {@link Quantization#AUTO}, &gt; 0 (default: detected available memory) @return this */
        public Builder memoryBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryBudget must be > 0 bytes, was " + bytes);
            }
            spec.memoryBudgetBytes(bytes);
            return this;
        }

        /** @param v default chat template (text or built-in name) for models without their own; null = none @return this */
        public Builder chatTemplate(String v) {
            spec.chatTemplate(v);
            return this;
        }

        /** @param v told of load progress; null for none @return this */
        public Builder loadProgress(LoadProgressListener v) {
            spec.progress(v);
            return this;
        }

        /** @param v requests that may wait for the model before new ones are rejected, &gt;= 1 (default 256) @return this */
        public Builder maxQueuedRequests(int v) {
            spec.maxQueuedRequests(v);
            return this;
        }

        /** @param v false to skip preparing an embedding context (saves memory when {@code embed} is never called) @return this */
        public Builder embeddings(boolean v) {
            spec.embeddings(v);
            return this;
        }

        /**
         * Whether to load the model first in a short-lived child JVM and decode one token there, so that a file that
         * makes llama.cpp abort ends the child instead of this JVM (see {@link IsolationProbe}). Every file is
         * validated by {@link io.autoglm.validate.ModelValidator} either way.
         *
         * @param v {@link IsolationProbe#OFF} (default, unless the system property {@value IsolationProbe#PROPERTY}
         *     says otherwise), {@link IsolationProbe#UNSEEN_FILES} or {@link IsolationProbe#ALWAYS}
         * @return this
         */
        public Builder isolationProbe(IsolationProbe v) {
            isolationProbe = Objects.requireNonNull(v, "isolationProbe");
            return this;
        }

        /**
         * Loads the model.
         *
         * @return the model; close it when done
         * @throws IllegalStateException when no model was set
         * @throws ModelFormatException when the file is not valid GGUF or holds values llama.cpp cannot run
         * @throws ModelLoadException when the native side cannot load it, the isolation probe's child died on it, or a
         *     reference cannot be resolved ({@link io.autoglm.hub.ModelNotFoundException}, {@link io.autoglm.hub.DownloadException})
         */
        public LanguageModel build() {
            if (modelReference != null) {
                spec.path((modelHub != null ? modelHub : ModelHub.builder().build()).resolve(modelReference).path());
            }
            if (spec.path() == null) {
                throw new IllegalStateException("a model is required: call model(Path) or model(String reference)");
            }
            ModelSpec built = spec.build();
            if (isolationProbe != IsolationProbe.OFF) {
                io.autoglm.validate.ModelValidator.validate(built.path()); // no child for a file refused here anyway
                IsolationProbes.check(built, isolationProbe);
            }
            return Engines.open(built);
        }
    }
}

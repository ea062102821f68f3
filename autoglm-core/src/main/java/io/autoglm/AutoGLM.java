package io.autoglm;

import io.autoglm.backend.ModelSpec;
import io.autoglm.engine.Engines;
import io.autoglm.hub.ModelHub;
import io.autoglm.hub.ModelReference;
import io.autoglm.internal.Checks;
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
     * @return the library's path and ABI generation, as {@link ModelInfo#nativeLibrary()} reports it
     * @throws ModelLoadException when it cannot be loaded or is not a supported llama.cpp build
     */
    public static String describeNativeLibrary(Path library) {
        return Engines.describeNativeLibrary(library);
    }

    /** Options for loading a model. Setters validate at once. */
    public static final class Builder {
        private Path model;
        private String modelReference;
        private ModelHub modelHub;
        private Backend backend = Backend.FFM;
        private int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        private int contextSize = 2048;
        private int batchSize = 512;
        private int gpuLayers = 0;
        private Path nativeLibrary;
        private Quantization quantization = Quantization.NONE;
        private long memoryBudgetBytes = -1;
        private String chatTemplate;
        private LoadProgressListener progress;
        private int maxQueuedRequests = 256;
        private boolean embeddings = true;

        private Builder() {
        }

        /** @param v the GGUF file (used as it is; replaces an earlier {@link #model(String)}) @return this */
        public Builder model(Path v) {
            model = Objects.requireNonNull(v, "model");
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
            modelReference = reference;
            model = null;
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
            backend = Objects.requireNonNull(v, "backend");
            return this;
        }

        /** @param v CPU threads for decoding, 1..512 (default: cores, at most 8) @return this */
        public Builder threads(int v) {
            threads = Checks.inRange("threads", v, 1, 512);
            return this;
        }

        /** @param v context window in tokens, 0 for the model's trained length, else 16..1048576 (default 2048) @return this */
        public Builder contextSize(int v) {
            if (v != 0 && (v < 16 || v > 1 << 20)) {
                throw new IllegalArgumentException("contextSize must be 0 (model default) or in [16, 1048576], was " + v);
            }
            contextSize = v;
            return this;
        }

        /** @param v logical batch size for prompt evaluation, 1..65536 (default 512) @return this */
        public Builder batchSize(int v) {
            batchSize = Checks.inRange("batchSize", v, 1, 65536);
            return this;
        }

        /** @param v layers to offload to a GPU when the native library has one, &gt;= 0 (default 0) @return this */
        public Builder gpuLayers(int v) {
            gpuLayers = Checks.atLeast("gpuLayers", v, 0);
            return this;
        }

        /**
         * @param v a llama.cpp build to use instead of the library inside {@code de.kherud:llama}: the
         *     {@code libllama} file or the folder holding it and its ggml libraries (FFM backend only)
         * @return this
         */
        public Builder nativeLibrary(Path v) {
            nativeLibrary = Objects.requireNonNull(v, "nativeLibrary");
            return this;
        }

        /** @param v precision to run at (default {@link Quantization#NONE}: as stored) @return this */
        public Builder quantization(Quantization v) {
            quantization = Objects.requireNonNull(v, "quantization");
            return this;
        }

        /** @param bytes memory budget for {@link Quantization#AUTO}, &gt; 0 (default: detected available memory) @return this */
        public Builder memoryBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("memoryBudget must be > 0 bytes, was " + bytes);
            }
            memoryBudgetBytes = bytes;
            return this;
        }

        /** @param v default chat template (text or built-in name) for models without their own; null = none @return this */
        public Builder chatTemplate(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
            return this;
        }

        /** @param v told of load progress; null for none @return this */
        public Builder loadProgress(LoadProgressListener v) {
            progress = v;
            return this;
        }

        /** @param v requests that may wait for the model before new ones are rejected, &gt;= 1 (default 256) @return this */
        public Builder maxQueuedRequests(int v) {
            maxQueuedRequests = Checks.atLeast("maxQueuedRequests", v, 1);
            return this;
        }

        /** @param v false to skip preparing an embedding context (saves memory when {@code embed} is never called) @return this */
        public Builder embeddings(boolean v) {
            embeddings = v;
            return this;
        }

        /**
         * Loads the model.
         *
         * @return the model; close it when done
         * @throws IllegalStateException when no model was set
         * @throws ModelFormatException when the file is not valid GGUF
         * @throws ModelLoadException when the native side cannot load it, or a reference cannot be resolved
         *     ({@link io.autoglm.hub.ModelNotFoundException}, {@link io.autoglm.hub.DownloadException})
         */
        public LanguageModel build() {
            Path path = model;
            if (modelReference != null) {
                path = (modelHub != null ? modelHub : ModelHub.builder().build()).resolve(modelReference).path();
            }
            if (path == null) {
                throw new IllegalStateException("a model is required: call model(Path) or model(String reference)");
            }
            ModelSpec spec = new ModelSpec(path, backend, threads, contextSize, batchSize, gpuLayers, nativeLibrary,
                    quantization, memoryBudgetBytes, chatTemplate, progress, maxQueuedRequests, embeddings);
            return Engines.open(spec);
        }
    }
}

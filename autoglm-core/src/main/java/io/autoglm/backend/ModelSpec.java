package io.autoglm.backend;

import io.autoglm.Backend;
import io.autoglm.Device;
import io.autoglm.LoadProgressListener;
import io.autoglm.Quantization;
import io.autoglm.internal.Checks;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a backend needs to load a model, as collected by {@link io.autoglm.AutoGLM.Builder}.
 * Immutable; build with {@link #builder()}, whose setters validate at once.
 *
 * <p>KV cache sizing: a backend that batches creates one llama context whose cache holds
 * {@link #kvCells()} cells ({@code parallel × contextSize} for the running sequences plus
 * {@link #prefixCacheTokens()} for cached prefixes) and {@link #sequenceIds()} sequence ids.
 */
public final class ModelSpec {
    /** {@link #effectiveGpuLayers()} for "every layer" on a GPU device (more than any model has). */
    public static final int ALL_LAYERS = 9999;

    /** Most sequence ids a llama context takes (llama.cpp's {@code LLAMA_MAX_SEQ}). */
    public static final int MAX_SEQUENCE_IDS = 256;

    private final Path path;
    private final Backend backend;
    private final int threads;
    private final int contextSize;
    private final int batchSize;
    private final int ubatchSize;
    private final int parallel;
    private final boolean prefixCache;
    private final int prefixCacheTokens;
    private final int kvCacheTokens;
    private final int gpuLayers;
    private final Path nativeLibrary;
    private final Quantization quantization;
    private final long memoryBudgetBytes;
    private final String chatTemplate;
    private final LoadProgressListener progress;
    private final int maxQueuedRequests;
    private final boolean embeddings;
    private final Device device;
    private final boolean flashAttention;

    private ModelSpec(Builder b) {
        this.path = b.path;
        this.backend = b.backend;
        this.threads = b.threads;
        this.contextSize = b.contextSize;
        this.batchSize = b.batchSize;
        this.ubatchSize = Math.min(b.ubatchSize, b.batchSize);
        this.parallel = b.parallel;
        this.prefixCache = b.prefixCache;
        this.prefixCacheTokens = b.prefixCache ? b.prefixCacheTokens : 0;
        this.kvCacheTokens = b.kvCacheTokens;
        this.gpuLayers = b.gpuLayers;
        this.nativeLibrary = b.nativeLibrary;
        this.quantization = b.quantization;
        this.memoryBudgetBytes = b.memoryBudgetBytes;
        this.chatTemplate = b.chatTemplate;
        this.progress = b.progress;
        this.maxQueuedRequests = b.maxQueuedRequests;
        this.embeddings = b.embeddings;
        this.device = b.device;
        this.flashAttention = b.flashAttention;
    }

    /** @return a builder with the defaults of {@link io.autoglm.AutoGLM.Builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param path the GGUF file
     * @return a builder with the defaults and that file
     */
    public static Builder builder(Path path) {
        return new Builder().path(path);
    }

    /** @return a builder starting from these values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.path = path;
        b.backend = backend;
        b.threads = threads;
        b.contextSize = contextSize;
        b.batchSize = batchSize;
        b.ubatchSize = ubatchSize;
        b.parallel = parallel;
        b.prefixCache = prefixCache;
        b.prefixCacheTokens = prefixCacheTokens;
        b.kvCacheTokens = kvCacheTokens;
        b.gpuLayers = gpuLayers;
        b.nativeLibrary = nativeLibrary;
        b.quantization = quantization;
        b.memoryBudgetBytes = memoryBudgetBytes;
        b.chatTemplate = chatTemplate;
        b.progress = progress;
        b.maxQueuedRequests = maxQueuedRequests;
        b.embeddings = embeddings;
        b.device = device;
        b.flashAttention = flashAttention;
        return b;
    }

    /** @param newPath another file (e.g. the quantized copy) @return this spec for that file */
    public ModelSpec withPath(Path newPath) {
        Builder b = toBuilder();
        b.path = Objects.requireNonNull(newPath, "path");
        return b.build();
    }

    /** @return the GGUF file */
    public Path path() {
        return path;
    }

    /** @return which backend to use */
    public Backend backend() {
        return backend;
    }

    /** @return CPU threads */
    public int threads() {
        return threads;
    }

    /** @return context window of one sequence in tokens, 0 = the model's trained length */
    public int contextSize() {
        return contextSize;
    }

    /** @return logical batch size: most tokens one decode call takes */
    public int batchSize() {
        return batchSize;
    }

    /** @return physical batch size (micro-batch), at most {@link #batchSize()} */
    public int ubatchSize() {
        return ubatchSize;
    }

    /** @return sequences decoded together at most */
    public int parallel() {
        return parallel;
    }

    /** @return whether prompt prefixes are kept and reused across requests */
    public boolean prefixCache() {
        return prefixCache;
    }

    /** @return KV cells set aside for cached prefixes beyond {@code parallel × contextSize}; 0 without a prefix cache */
    public int prefixCacheTokens() {
        return prefixCacheTokens;
    }

    /**
     * @param perSequence the served context of one sequence (the spec's {@link #contextSize()}, or the
     *     model's trained length when that is 0)
     * @return KV cells for the whole cache: {@link #kvCacheTokens()} when set, else
     *     {@code parallel × perSequence + prefixCacheTokens}
     */
    public long kvCells(int perSequence) {
        if (kvCacheTokens > 0) {
            return Math.max(kvCacheTokens, perSequence);
        }
        return (long) parallel * perSequence + prefixCacheTokens;
    }

    /**
     * @return the KV cache size asked for explicitly (at least one context), or 0 for the default
     *     {@code parallel × contextSize + prefixCacheTokens}; a smaller cache than that serves
     *     sequences that are mostly shorter than the context, and pre-empts when they are not
     */
    public int kvCacheTokens() {
        return kvCacheTokens;
    }

    /** @return sequence ids the backend must accept: one per running sequence plus ids that hold cached prefixes */
    public int sequenceIds() {
        if (!prefixCache) {
            return parallel;
        }
        return Math.min(MAX_SEQUENCE_IDS, parallel + Math.max(8, 4 * parallel));
    }

    /** @return layers to offload */
    public int gpuLayers() {
        return gpuLayers;
    }

    /**
     * @return layers to offload once {@link #device()} is applied: 0 on the CPU, every layer on a GPU device
     *     unless {@link #gpuLayers()} says how many
     */
    public int effectiveGpuLayers() {
        if (device == null) {
            return gpuLayers;
        }
        if (!device.isGpu()) {
            return 0;
        }
        return gpuLayers > 0 ? gpuLayers : ALL_LAYERS;
    }

    /** @return the device asked for, or null when none was named (then {@link #gpuLayers()} decides alone) */
    public Device device() {
        return device;
    }

    /** @return whether flash attention is asked for (the current llama.cpp generation only) */
    public boolean flashAttention() {
        return flashAttention;
    }

    /** @return a llama.cpp build to use, or null for the default */
    public Path nativeLibrary() {
        return nativeLibrary;
    }

    /** @return precision requested */
    public Quantization quantization() {
        return quantization;
    }

    /** @return memory budget for AUTO, or -1 for detected available memory */
    public long memoryBudgetBytes() {
        return memoryBudgetBytes;
    }

    /** @return default chat template, or null */
    public String chatTemplate() {
        return chatTemplate;
    }

    /** @return load progress listener, or null */
    public LoadProgressListener progress() {
        return progress;
    }

    /** @return queue bound */
    public int maxQueuedRequests() {
        return maxQueuedRequests;
    }

    /** @return whether embeddings will be requested */
    public boolean embeddings() {
        return embeddings;
    }

    @Override
    public String toString() {
        return "ModelSpec[" + path + ", " + backend + ", threads=" + threads + ", context=" + contextSize + ", parallel="
                + parallel + ", batch=" + batchSize + "/" + ubatchSize + ", prefixCache=" + (prefixCache ? prefixCacheTokens : "off")
                + (nativeLibrary == null ? "" : ", library=" + nativeLibrary) + ", quantization=" + quantization
                + (device == null ? "" : ", device=" + device) + (flashAttention ? ", flashAttention" : "") + "]";
    }

    /** Builder for {@link ModelSpec}; setters validate at once. */
    public static final class Builder {
        private Path path;
        private Backend backend = Backend.FFM;
        private int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        private int contextSize = 2048;
        private int batchSize = 512;
        private int ubatchSize = 512;
        private int parallel = 4;
        private boolean prefixCache = true;
        private int prefixCacheTokens = -1;
        private int kvCacheTokens;
        private int gpuLayers;
        private Path nativeLibrary;
        private Quantization quantization = Quantization.NONE;
        private long memoryBudgetBytes = -1;
        private String chatTemplate;
        private LoadProgressListener progress;
        private int maxQueuedRequests = 256;
        private boolean embeddings = true;
        private Device device;
        private boolean flashAttention;

        private Builder() {
        }

        /** @param v the GGUF file @return this */
        public Builder path(Path v) {
            path = Objects.requireNonNull(v, "path");
            return this;
        }

        /** @return the file set so far, or null */
        public Path path() {
            return path;
        }

        /** @param v the backend @return this */
        public Builder backend(Backend v) {
            backend = Objects.requireNonNull(v, "backend");
            return this;
        }

        /** @param v CPU threads, 1..512 @return this */
        public Builder threads(int v) {
            threads = Checks.inRange("threads", v, 1, 512);
            return this;
        }

        /** @param v context window per sequence, 0 (model default) or 16..1048576 @return this */
        public Builder contextSize(int v) {
            if (v != 0 && (v < 16 || v > 1 << 20)) {
                throw new IllegalArgumentException("contextSize must be 0 (model default) or in [16, 1048576], was " + v);
            }
            contextSize = v;
            return this;
        }

        /** @param v logical batch size, 1..65536 @return this */
        public Builder batchSize(int v) {
            batchSize = Checks.inRange("batchSize", v, 1, 65536);
            return this;
        }

        /** @param v physical batch size, 1..65536 (capped at the batch size) @return this */
        public Builder ubatchSize(int v) {
            ubatchSize = Checks.inRange("ubatchSize", v, 1, 65536);
            return this;
        }

        /** @param v sequences decoded together, 1..64 @return this */
        public Builder parallel(int v) {
            parallel = Checks.inRange("parallel", v, 1, 64);
            return this;
        }

        /** @param v keep and reuse prompt prefixes across requests @return this */
        public Builder prefixCache(boolean v) {
            prefixCache = v;
            return this;
        }

        /** @param v KV cells for cached prefixes beyond the running sequences, &gt;= 0; -1 = one context's worth @return this */
        public Builder prefixCacheTokens(int v) {
            if (v < -1) {
                throw new IllegalArgumentException("prefixCacheTokens must be >= 0 (or -1 for one context's worth), was " + v);
            }
            prefixCacheTokens = v;
            return this;
        }

        /** @param v KV cells of the whole cache, 0 for the default, else 16..1073741824 @return this */
        public Builder kvCacheTokens(int v) {
            if (v != 0 && (v < 16 || v > 1 << 30)) {
                throw new IllegalArgumentException("kvCacheTokens must be 0 (default) or in [16, 1073741824], was " + v);
            }
            kvCacheTokens = v;
            return this;
        }

        /** @param v layers to offload, &gt;= 0 @return this */
        public Builder gpuLayers(int v) {
            gpuLayers = Checks.atLeast("gpuLayers", v, 0);
            return this;
        }

        /** @param v a llama.cpp build (file or folder), or null for the default @return this */
        public Builder nativeLibrary(Path v) {
            nativeLibrary = v;
            return this;
        }

        /** @param v precision @return this */
        public Builder quantization(Quantization v) {
            quantization = Objects.requireNonNull(v, "quantization");
            return this;
        }

        /** @param v memory budget in bytes, &gt; 0, or -1 for detected available memory @return this */
        public Builder memoryBudgetBytes(long v) {
            if (v != -1 && v <= 0) {
                throw new IllegalArgumentException("memoryBudget must be > 0 bytes (or -1 for detected), was " + v);
            }
            memoryBudgetBytes = v;
            return this;
        }

        /** @param v default chat template, or null @return this */
        public Builder chatTemplate(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
            return this;
        }

        /** @param v load progress listener, or null @return this */
        public Builder progress(LoadProgressListener v) {
            progress = v;
            return this;
        }

        /** @param v queue bound, &gt;= 1 @return this */
        public Builder maxQueuedRequests(int v) {
            maxQueuedRequests = Checks.atLeast("maxQueuedRequests", v, 1);
            return this;
        }

        /** @param v whether embeddings will be requested @return this */
        public Builder embeddings(boolean v) {
            embeddings = v;
            return this;
        }

        /** @param v where the layers run, or null to let {@link #gpuLayers(int)} decide alone @return this */
        public Builder device(Device v) {
            device = v;
            return this;
        }

        /** @param v use flash attention (the current llama.cpp generation only; refused on b4916) @return this */
        public Builder flashAttention(boolean v) {
            flashAttention = v;
            return this;
        }

        /** @return the spec @throws IllegalStateException when no path was set */
        public ModelSpec build() {
            if (path == null) {
                throw new IllegalStateException("model path is required: call model(Path)");
            }
            if (prefixCacheTokens < 0) {
                prefixCacheTokens = contextSize == 0 ? 2048 : contextSize;
            }
            return new ModelSpec(this);
        }
    }
}

package io.autoglm.spring.boot;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code autoglm.*} properties: which model to load and how, the defaults of the Spring AI chat and
 * embedding models, and the OpenAI-compatible server.
 */
@ConfigurationProperties("autoglm")
public class AutoGlmProperties {
    /**
     * The model to load: a GGUF path, a catalog name such as stories260k or qwen2.5-0.5b-instruct:q4_k_m,
     * hf://owner/repo/file.gguf[@revision] or an https:// URL. Without it no model is loaded.
     */
    private String model;

    /**
     * Precision to run at: none (as stored), auto (the most precise that fits the memory budget), or a
     * llama.cpp preset such as q8_0, q4_k_m, f16 (aliases int8, int4, fp16). Anything but none needs
     * io.autoglm:autoglm-quant on the class path.
     */
    private String quantize = "none";

    /** Memory budget for quantize=auto, e.g. 512MB; default: the memory available. */
    private DataSize memoryBudget;

    /** Sequences decoded together (continuous batching), 1 to 64. */
    private int parallel = 4;

    /** Context window of each sequence in tokens; 0 for the model's trained length. */
    private int contextSize = 2048;

    /** CPU threads for decoding, 1 to 512; default: the cores, at most 8. */
    private Integer threads;

    /** The native backend: ffm (default) or jni (needs io.autoglm:autoglm-backend-jni). */
    private io.autoglm.Backend backend = io.autoglm.Backend.FFM;

    /** Default chat template for models without their own: a llama.cpp built-in name such as chatml, or template text. */
    private String chatTemplate;

    /** Requests that may wait for the model before new ones are rejected. */
    private int maxQueuedRequests = 256;

    /** Layers to offload to a GPU when the native library has one. */
    private int gpuLayers;

    /** A llama.cpp build to use instead of the bundled one (the libllama file or its folder). */
    private Path nativeLibrary;

    /**
     * Whether model references may not be downloaded: only files in the cache or on AUTOGLM_MODELS are used
     * (also turned on by HF_HUB_OFFLINE=1).
     */
    private boolean offline;

    private final Chat chat = new Chat();

    private final Embedding embedding = new Embedding();

    private final Server server = new Server();

    /** @return the model reference */
    public String getModel() {
        return model;
    }

    /** @param model the model reference */
    public void setModel(String model) {
        this.model = model;
    }

    /** @return the quantization name */
    public String getQuantize() {
        return quantize;
    }

    /** @param quantize the quantization name */
    public void setQuantize(String quantize) {
        this.quantize = quantize;
    }

    /** @return the memory budget, or null */
    public DataSize getMemoryBudget() {
        return memoryBudget;
    }

    /** @param memoryBudget the memory budget */
    public void setMemoryBudget(DataSize memoryBudget) {
        this.memoryBudget = memoryBudget;
    }

    /** @return sequences decoded together */
    public int getParallel() {
        return parallel;
    }

    /** @param parallel sequences decoded together */
    public void setParallel(int parallel) {
        this.parallel = parallel;
    }

    /** @return context tokens per sequence */
    public int getContextSize() {
        return contextSize;
    }

    /** @param contextSize context tokens per sequence */
    public void setContextSize(int contextSize) {
        this.contextSize = contextSize;
    }

    /** @return decoding threads, or null for the default */
    public Integer getThreads() {
        return threads;
    }

    /** @param threads decoding threads */
    public void setThreads(Integer threads) {
        this.threads = threads;
    }

    /** @return the backend */
    public io.autoglm.Backend getBackend() {
        return backend;
    }

    /** @param backend the backend */
    public void setBackend(io.autoglm.Backend backend) {
        this.backend = backend;
    }

    /** @return the default chat template, or null */
    public String getChatTemplate() {
        return chatTemplate;
    }

    /** @param chatTemplate the default chat template */
    public void setChatTemplate(String chatTemplate) {
        this.chatTemplate = chatTemplate;
    }

    /** @return the queue bound */
    public int getMaxQueuedRequests() {
        return maxQueuedRequests;
    }

    /** @param maxQueuedRequests the queue bound */
    public void setMaxQueuedRequests(int maxQueuedRequests) {
        this.maxQueuedRequests = maxQueuedRequests;
    }

    /** @return GPU layers */
    public int getGpuLayers() {
        return gpuLayers;
    }

    /** @param gpuLayers GPU layers */
    public void setGpuLayers(int gpuLayers) {
        this.gpuLayers = gpuLayers;
    }

    /** @return the native library, or null */
    public Path getNativeLibrary() {
        return nativeLibrary;
    }

    /** @param nativeLibrary the native library */
    public void setNativeLibrary(Path nativeLibrary) {
        this.nativeLibrary = nativeLibrary;
    }

    /** @return whether downloads are off */
    public boolean isOffline() {
        return offline;
    }

    /** @param offline whether downloads are off */
    public void setOffline(boolean offline) {
        this.offline = offline;
    }

    /** @return the chat settings */
    public Chat getChat() {
        return chat;
    }

    /** @return the embedding settings */
    public Embedding getEmbedding() {
        return embedding;
    }

    /** @return the server settings */
    public Server getServer() {
        return server;
    }

    /** The Spring AI chat model's defaults ({@code autoglm.chat.*}). */
    public static class Chat {
        /** Whether to create the Spring AI ChatModel bean. */
        private boolean enabled = true;

        /** Sampling temperature; 0 is greedy. */
        private double temperature;

        /** Most tokens one reply may have. */
        private int maxTokens = 256;

        /** Top-k; 0 disables it. */
        private Integer topK;

        /** Top-p in (0, 1]; 1 disables it. */
        private Double topP;

        /** Sampling seed; the same seed and prompt give the same reply. */
        private Long seed;

        /**
         * Whether ChatClient's entity(...) calls send their JSON schema to the model (which then writes only
         * JSON valid against it, enforced by a grammar) instead of appending format instructions to the prompt.
         */
        private boolean nativeStructuredOutput = true;

        /** @return whether the chat model bean is created */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the chat model bean is created */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the temperature */
        public double getTemperature() {
            return temperature;
        }

        /** @param temperature the temperature */
        public void setTemperature(double temperature) {
            this.temperature = temperature;
        }

        /** @return the reply length limit */
        public int getMaxTokens() {
            return maxTokens;
        }

        /** @param maxTokens the reply length limit */
        public void setMaxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
        }

        /** @return top-k, or null */
        public Integer getTopK() {
            return topK;
        }

        /** @param topK top-k */
        public void setTopK(Integer topK) {
            this.topK = topK;
        }

        /** @return top-p, or null */
        public Double getTopP() {
            return topP;
        }

        /** @param topP top-p */
        public void setTopP(Double topP) {
            this.topP = topP;
        }

        /** @return the seed, or null */
        public Long getSeed() {
            return seed;
        }

        /** @param seed the seed */
        public void setSeed(Long seed) {
            this.seed = seed;
        }

        /** @return whether structured output goes to the model as a schema */
        public boolean isNativeStructuredOutput() {
            return nativeStructuredOutput;
        }

        /** @param nativeStructuredOutput whether structured output goes to the model as a schema */
        public void setNativeStructuredOutput(boolean nativeStructuredOutput) {
            this.nativeStructuredOutput = nativeStructuredOutput;
        }
    }

    /** The Spring AI embedding model's settings ({@code autoglm.embedding.*}). */
    public static class Embedding {
        /** Whether to create the Spring AI EmbeddingModel bean. */
        private boolean enabled = true;

        /** Whether to L2-normalise every vector. */
        private boolean normalize = true;

        /** @return whether the embedding model bean is created */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the embedding model bean is created */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return whether vectors are normalised */
        public boolean isNormalize() {
            return normalize;
        }

        /** @param normalize whether vectors are normalised */
        public void setNormalize(boolean normalize) {
            this.normalize = normalize;
        }
    }

    /**
     * The OpenAI-compatible endpoints of io.autoglm:autoglm-server ({@code autoglm.server.*}), on their own listener;
     * enabling them without that module on the class path stops start-up with a message.
     */
    public static class Server {
        /** Whether to serve the model over the OpenAI-compatible HTTP API (needs io.autoglm:autoglm-server). */
        private boolean enabled;

        /** Port of the OpenAI-compatible server (its own listener, beside the application's); 0 picks a free one. */
        private int port = 8081;

        /** Address the OpenAI-compatible server listens on. */
        private String host = "127.0.0.1";

        /** Model name clients send; default: the GGUF's general.name. */
        private String modelName;

        /** API key clients must send as "Authorization: Bearer KEY"; none lets every request in. */
        private String apiKey;

        /** @return whether the server is enabled */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the server is enabled */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the port */
        public int getPort() {
            return port;
        }

        /** @param port the port */
        public void setPort(int port) {
            this.port = port;
        }

        /** @return the host */
        public String getHost() {
            return host;
        }

        /** @param host the host */
        public void setHost(String host) {
            this.host = host;
        }

        /** @return the model name, or null */
        public String getModelName() {
            return modelName;
        }

        /** @param modelName the model name */
        public void setModelName(String modelName) {
            this.modelName = modelName;
        }

        /** @return the API key, or null */
        public String getApiKey() {
            return apiKey;
        }

        /** @param apiKey the API key */
        public void setApiKey(String apiKey) {
            this.apiKey = apiKey;
        }
    }
}

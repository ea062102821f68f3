package io.autoglm.spring.ai;

import io.autoglm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * A Spring AI {@link EmbeddingModel} over an in-process AutoGLM {@link LanguageModel}: the model's pooled
 * embeddings ({@link LanguageModel#embedAll(List, boolean)}), L2-normalised unless told otherwise.
 * {@link #dimensions()} is the model's embedding length, known without embedding anything; a request
 * that asks for other dimensions is refused.
 *
 * <pre>{@code
 * EmbeddingModel embeddings = new AutoGlmEmbeddingModel(llm, true);
 * float[] v = embeddings.embed("a cat");
 * }</pre>
 */
public class AutoGlmEmbeddingModel implements EmbeddingModel {
    private final LanguageModel model;
    private final boolean normalize;

    /**
     * @param model the loaded model (not closed by this adapter)
     * @param normalize true to L2-normalise every vector
     */
    public AutoGlmEmbeddingModel(LanguageModel model, boolean normalize) {
        this.model = Objects.requireNonNull(model, "model");
        this.normalize = normalize;
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        Objects.requireNonNull(request, "request");
        EmbeddingOptions options = request.getOptions();
        if (options != null && options.getDimensions() != null && options.getDimensions() != dimensions()) {
            throw new IllegalArgumentException("dimensions must be " + dimensions() + " (the model's embedding length), was "
                    + options.getDimensions());
        }
        List<String> texts = request.getInstructions();
        int tokens = 0;
        for (String t : texts) {
            tokens += model.tokenize(Objects.requireNonNull(t, "embedding input")).length;
        }
        List<float[]> vectors = model.embedAll(texts, normalize);
        List<Embedding> out = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            out.add(new Embedding(vectors.get(i), i));
        }
        return new EmbeddingResponse(out, new EmbeddingResponseMetadata(model.info().name(), new DefaultUsage(tokens, 0, tokens)));
    }

    @Override
    public float[] embed(Document document) {
        Objects.requireNonNull(document, "document");
        return model.embed(Objects.requireNonNull(getEmbeddingContent(document), "document text"), normalize);
    }

    @Override
    public int dimensions() {
        return model.info().embeddingLength();
    }

    @Override
    public String toString() {
        return "AutoGlmEmbeddingModel[" + model.info().name() + ", dimensions=" + dimensions() + "]";
    }
}

package io.autoglm.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import io.autoglm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A LangChain4j {@link EmbeddingModel} over an in-process AutoGLM {@link LanguageModel}: each text
 * becomes the model's pooled embedding ({@link LanguageModel#embedAll(List, boolean)}, which decodes
 * several texts together where the backend can), L2-normalised unless
 * {@link Builder#normalize(boolean)} says otherwise. {@link #dimension()} is the model's embedding
 * length, known without embedding anything. Token usage counts the input tokens. Text input only.
 *
 * <pre>{@code
 * EmbeddingModel embeddings = AutoGlmEmbeddingModel.builder(llm).build();
 * List<Embedding> vectors = embeddings.embedAll(List.of(TextSegment.from("a cat"), TextSegment.from("a dog"))).content();
 * }</pre>
 */
public final class AutoGlmEmbeddingModel implements EmbeddingModel {
    private final LanguageModel model;
    private final boolean normalize;
    private final List<EmbeddingModelListener> listeners;
    private final String modelName;

    private AutoGlmEmbeddingModel(Builder b) {
        this.model = b.model;
        this.normalize = b.normalize;
        this.listeners = b.listeners;
        this.modelName = b.modelName != null ? b.modelName : b.model.info().name();
    }

    /**
     * @param model the loaded model (not closed by this adapter)
     * @return a builder
     */
    public static Builder builder(LanguageModel model) {
        return new Builder(model);
    }

    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        List<String> texts = new ArrayList<>(request.inputs().size());
        int tokens = 0;
        for (EmbeddingInput input : request.inputs()) {
            String text = Objects.requireNonNull(input.text(), "embedding input text");
            texts.add(text);
            tokens += model.tokenize(text).length;
        }
        List<float[]> vectors = model.embedAll(texts, normalize);
        List<Embedding> embeddings = new ArrayList<>(vectors.size());
        for (float[] v : vectors) {
            embeddings.add(Embedding.from(v));
        }
        return EmbeddingResponse.builder()
                .embeddings(embeddings)
                .metadata(EmbeddingResponseMetadata.builder().modelName(modelName).tokenUsage(new TokenUsage(tokens)).build())
                .build();
    }

    @Override
    public int dimension() {
        return model.info().embeddingLength();
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public List<EmbeddingModelListener> listeners() {
        return listeners;
    }

    @Override
    public String toString() {
        return "AutoGlmEmbeddingModel[" + modelName + ", dimension=" + dimension() + "]";
    }

    /** Builder for {@link AutoGlmEmbeddingModel}. */
    public static final class Builder {
        private final LanguageModel model;
        private boolean normalize = true;
        private List<EmbeddingModelListener> listeners = List.of();
        private String modelName;

        private Builder(LanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** @param v true (default) to L2-normalise every vector @return this */
        public Builder normalize(boolean v) {
            normalize = v;
            return this;
        }

        /** @param v listeners told of every embedding request, response and error @return this */
        public Builder listeners(List<EmbeddingModelListener> v) {
            Objects.requireNonNull(v, "listeners");
            for (int i = 0; i < v.size(); i++) {
                Objects.requireNonNull(v.get(i), "listeners[" + i + "]");
            }
            listeners = List.copyOf(v);
            return this;
        }

        /** @param v the model name responses report (default: the GGUF's {@code general.name}) @return this */
        public Builder modelName(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("modelName must not be blank");
            }
            modelName = v;
            return this;
        }

        /** @return the embedding model */
        public AutoGlmEmbeddingModel build() {
            return new AutoGlmEmbeddingModel(this);
        }
    }
}

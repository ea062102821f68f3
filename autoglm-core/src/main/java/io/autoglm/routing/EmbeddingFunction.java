package io.autoglm.routing;

import io.autoglm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns text into a vector for {@link TaskRouter}. Implementations must be thread-safe. Any GGUF model works through
 * {@link #of(LanguageModel)}; the optional module {@code autoglm-routing-minilm} provides LangChain4j's in-process
 * all-MiniLM-L6-v2 (found by name through {@link EmbeddingProvider}).
 */
@FunctionalInterface
public interface EmbeddingFunction {
    /**
     * @param text the text, not null
     * @return its embedding; every call returns vectors of the same length
     */
    float[] embed(String text);

    /**
     * @param texts texts, none null
     * @return one vector per text, in order (implementations may batch)
     */
    default List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(embed(Objects.requireNonNull(t, "texts[i]")));
        }
        return out;
    }

    /** @return a short name for messages and logs */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * @param model a loaded model that can embed ({@link LanguageModel#embed(String, boolean)}); not closed by the function
     * @return a function giving the model's L2-normalised pooled embeddings (batched by {@link LanguageModel#embedAll})
     */
    static EmbeddingFunction of(LanguageModel model) {
        Objects.requireNonNull(model, "model");
        return new EmbeddingFunction() {
            @Override
            public float[] embed(String text) {
                return model.embed(Objects.requireNonNull(text, "text"), true);
            }

            @Override
            public List<float[]> embedAll(List<String> texts) {
                return model.embedAll(texts, true);
            }

            @Override
            public String name() {
                return "gguf:" + model.info().path().getFileName();
            }
        };
    }
}

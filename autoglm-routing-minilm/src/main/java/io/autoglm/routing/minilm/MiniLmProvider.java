package io.autoglm.routing.minilm;

import io.autoglm.routing.EmbeddingFunction;
import io.autoglm.routing.EmbeddingProvider;
import java.util.List;

/**
 * Answers {@code minilm} and {@code all-minilm-l6-v2-q} for {@link EmbeddingProvider#create(String)}: the int8 model
 * ({@link MiniLmEmbeddings#create()}); {@link MiniLmFp32Provider} answers {@code all-minilm-l6-v2}.
 */
public final class MiniLmProvider implements EmbeddingProvider {
    /** For {@link java.util.ServiceLoader}. */
    public MiniLmProvider() {
    }

    @Override
    public List<String> names() {
        return List.of("minilm", "all-minilm-l6-v2-q");
    }

    @Override
    public EmbeddingFunction create() {
        return MiniLmEmbeddings.create();
    }
}

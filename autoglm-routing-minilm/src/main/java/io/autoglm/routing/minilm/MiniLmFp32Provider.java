package io.autoglm.routing.minilm;

import io.autoglm.routing.EmbeddingFunction;
import io.autoglm.routing.EmbeddingProvider;
import java.util.List;

/** Answers {@code all-minilm-l6-v2} for {@link EmbeddingProvider#create(String)}: the float32 model. */
public final class MiniLmFp32Provider implements EmbeddingProvider {
    /** For {@link java.util.ServiceLoader}. */
    public MiniLmFp32Provider() {
    }

    @Override
    public List<String> names() {
        return List.of("all-minilm-l6-v2");
    }

    @Override
    public EmbeddingFunction create() {
        return MiniLmEmbeddings.create(MiniLmEmbeddings.Variant.FP32, 1);
    }
}

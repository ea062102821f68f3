package io.autoglm.server.openai;

import java.util.List;

/**
 * The answer to {@code POST /v1/embeddings}.
 *
 * @param object always {@code list}
 * @param data one embedding per input, in order
 * @param model the model's id
 * @param usage tokens embedded
 */
public record EmbeddingList(String object, List<Embedding> data, String model, EmbeddingUsage usage) {
    /**
     * @param object always {@code embedding}
     * @param embedding a {@code float[]}, or a base64 string of little-endian float32 values
     * @param index the input's position
     */
    public record Embedding(String object, Object embedding, int index) {
    }

    /**
     * @param promptTokens tokens embedded
     * @param totalTokens the same
     */
    public record EmbeddingUsage(int promptTokens, int totalTokens) {
    }
}

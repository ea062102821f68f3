package io.autoglm.server.openai;

import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code POST /v1/embeddings} body ({@link RequestParser#embeddings}).
 *
 * @param model the model name as asked
 * @param inputs the texts or token arrays to embed, at least one
 * @param base64 {@code encoding_format: "base64"} (little-endian float32), else float arrays
 * @param user the end user's id, or null
 */
public record EmbeddingsRequest(String model, List<Input> inputs, boolean base64, String user) {
    /** Copies. */
    public EmbeddingsRequest {
        Objects.requireNonNull(model, "model");
        inputs = List.copyOf(inputs);
    }
}

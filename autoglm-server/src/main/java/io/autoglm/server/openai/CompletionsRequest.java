package io.autoglm.server.openai;

import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code POST /v1/completions} body ({@link RequestParser#completions}).
 *
 * @param model the model name as asked
 * @param prompts one or more prompts (each text or token ids); each gets {@code n} choices
 * @param params generation parameters
 * @param stream whether to answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param echo whether each choice starts with its prompt
 * @param user the end user's id, or null
 */
public record CompletionsRequest(String model, List<Input> prompts, GenerationParams params, boolean stream,
        boolean includeUsage, boolean echo, String user) {
    /** Copies. */
    public CompletionsRequest {
        Objects.requireNonNull(model, "model");
        prompts = List.copyOf(prompts);
        Objects.requireNonNull(params, "params");
    }
}

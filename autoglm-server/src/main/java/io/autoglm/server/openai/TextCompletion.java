package io.autoglm.server.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to {@code POST /v1/completions} ({@code "object": "text_completion"}); streamed answers
 * send objects of the same shape, one per event.
 *
 * @param id {@code cmpl-...}
 * @param object always {@code text_completion}
 * @param created Unix seconds
 * @param model the model's id
 * @param choices the choices (in a stream: the ones this event advances)
 * @param usage token counts; in a stream only in the final event with {@code include_usage}
 * @param systemFingerprint identifies the serving configuration
 */
public record TextCompletion(String id, String object, long created, String model, List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage, String systemFingerprint) {

    /**
     * @param text the text (in a stream: the text this event adds)
     * @param index choice index ({@code prompt index × n + i})
     * @param logprobs log-probabilities, or null
     * @param finishReason {@code stop} or {@code length}; null in a stream until the choice ends
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(String text, int index, Logprobs logprobs, String finishReason) {
    }

    /**
     * The legacy completions log-probability format.
     *
     * @param tokens token texts
     * @param tokenLogprobs their log-probabilities
     * @param topLogprobs per token: alternative text to log-probability
     * @param textOffset per token: its offset in the choice's text
     */
    public record Logprobs(List<String> tokens, List<Double> tokenLogprobs, List<java.util.Map<String, Double>> topLogprobs,
            List<Integer> textOffset) {
    }
}

package io.autoglm.server.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a non-streamed chat completion ({@code "object": "chat.completion"}).
 *
 * @param id {@code chatcmpl-...}
 * @param object always {@code chat.completion}
 * @param created Unix seconds
 * @param model the model's id
 * @param choices one per {@code n}
 * @param usage token counts
 * @param systemFingerprint identifies the serving configuration
 */
public record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage,
        String systemFingerprint) {

    /**
     * @param index choice index
     * @param message the assistant's message
     * @param logprobs log-probabilities, or null when not asked for
     * @param finishReason {@code stop}, {@code length}, {@code tool_calls}
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, Message message, Logprobs logprobs, String finishReason) {
    }

    /**
     * @param role always {@code assistant}
     * @param content the text, or null when the message only calls tools
     * @param refusal always null
     * @param toolCalls the tool calls, or null for none
     */
    public record Message(String role, String content, String refusal,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<ToolCall> toolCalls) {
    }

    /**
     * @param id {@code call_...}
     * @param type always {@code function}
     * @param function the function and its JSON arguments
     */
    public record ToolCall(String id, String type, FunctionCall function) {
    }

    /**
     * @param name the function's name
     * @param arguments its arguments as a JSON text
     */
    public record FunctionCall(String name, String arguments) {
    }

    /**
     * Per-token log-probabilities of a choice.
     *
     * @param content one entry per generated token
     * @param refusal always null
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Logprobs(List<TokenLogprob> content, List<TokenLogprob> refusal) {
    }

    /**
     * @param token the token's text
     * @param logprob natural-log probability
     * @param bytes the token's UTF-8 bytes
     * @param topLogprobs the most likely alternatives
     */
    public record TokenLogprob(String token, double logprob, List<Integer> bytes,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<TokenLogprob> topLogprobs) {
    }
}

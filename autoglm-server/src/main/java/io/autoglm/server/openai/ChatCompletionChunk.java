package io.autoglm.server.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One server-sent event of a streamed chat completion ({@code "object": "chat.completion.chunk"}).
 *
 * @param id the same {@code chatcmpl-...} for every chunk of one answer
 * @param object always {@code chat.completion.chunk}
 * @param created Unix seconds
 * @param model the model's id
 * @param systemFingerprint identifies the serving configuration
 * @param choices the choices this chunk advances (empty in the final usage chunk)
 * @param usage only in the final chunk, and only with {@code stream_options.include_usage}
 */
public record ChatCompletionChunk(String id, String object, long created, String model, String systemFingerprint,
        List<Choice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

    /**
     * @param index choice index
     * @param delta what this chunk adds
     * @param logprobs log-probabilities of the tokens in this chunk, or null
     * @param finishReason set in the last chunk of the choice, else null
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, Delta delta, ChatCompletion.Logprobs logprobs, String finishReason) {
    }

    /**
     * @param role {@code assistant} in the first chunk of a choice, else null
     * @param content text added, or null
     * @param toolCalls tool calls added, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, List<ToolCallDelta> toolCalls) {
    }

    /**
     * @param index the call's position among the message's tool calls
     * @param id {@code call_...}
     * @param type always {@code function}
     * @param function the function and its arguments
     */
    public record ToolCallDelta(int index, String id, String type, ChatCompletion.FunctionCall function) {
    }
}

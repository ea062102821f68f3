package io.autoglm.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.autoglm.LanguageModel;
import java.util.List;

/**
 * The settings {@link AutoGlmChatModel} and {@link AutoGlmStreamingChatModel} share; setters validate at once.
 *
 * @param <B> the concrete builder
 */
public abstract class ChatModelBuilder<B extends ChatModelBuilder<B>> {
    final ChatSupport.Settings settings;

    ChatModelBuilder(LanguageModel model) {
        settings = new ChatSupport.Settings(model);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param v the chat template for every request (a llama.cpp built-in name such as {@code chatml}, or template
     *     text); null (default) uses the model's own
     * @return this
     */
    public B chatTemplate(String v) {
        settings.chatTemplate(v);
        return self();
    }

    /** @param v parameters for requests that do not set them (default: none) @return this */
    public B defaultRequestParameters(ChatRequestParameters v) {
        settings.defaults(v);
        return self();
    }

    /** @param v listeners told of every request, response and error @return this */
    public B listeners(List<ChatModelListener> v) {
        settings.listeners(v);
        return self();
    }

    /** @param v the model name responses report (default: the GGUF's {@code general.name}) @return this */
    public B modelName(String v) {
        settings.modelName(v);
        return self();
    }

    /** @param v what {@code ToolChoice.AUTO} does when tools are offered (default {@link AutoToolChoice#MODEL_DECIDES}) @return this */
    public B autoToolChoice(AutoToolChoice v) {
        settings.autoToolChoice(v);
        return self();
    }

    /** @param v the most tool calls in one reply, 1..64 (default 1; more lets the model call tools in parallel) @return this */
    public B maxToolCalls(int v) {
        settings.maxToolCalls(v);
        return self();
    }

    /** @param v the chat-template role of tool execution results (default {@code tool}) @return this */
    public B toolResultRole(String v) {
        settings.toolResultRole(v);
        return self();
    }
}

package io.autoglm.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.autoglm.LanguageModel;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} over an in-process AutoGLM {@link LanguageModel}.
 *
 * <p>Messages map one to one: system, user (text only), AI (its text, and its tool calls written as
 * the model writes them) and tool execution results (role {@code tool}, see
 * {@link Builder#toolResultRole(String)}). Tool specifications become a GBNF grammar through
 * {@link io.autoglm.grammar.ToolCallGrammar}, so a tool call is always valid JSON whose arguments match
 * the tool's schema, even from a small model; {@code ToolChoice.REQUIRED} forces a call, {@code NONE}
 * offers none, and {@code AUTO} is decided by {@link Builder#autoToolChoice(AutoToolChoice)}. A JSON
 * response format (with or without a schema) is enforced by a grammar as well, so
 * {@link #supportedCapabilities()} reports {@link Capability#RESPONSE_FORMAT_JSON_SCHEMA}. Temperature
 * defaults to 0 (greedy); {@link AutoGlmChatRequestParameters} adds seed, min-p and repetition penalty.
 * Listeners are called as LangChain4j's {@link ChatModel#chat(ChatRequest)} documents.
 *
 * <p>Thread-safe: the model decodes concurrent requests together. The adapter does not own the
 * {@code LanguageModel}: close that yourself.
 *
 * <pre>{@code
 * try (LanguageModel llm = AutoGLM.builder().model("stories260k").build()) {
 *     ChatModel chat = AutoGlmChatModel.builder(llm).chatTemplate("chatml").build();
 *     System.out.println(chat.chat("Tell me a story."));
 * }
 * }</pre>
 */
public final class AutoGlmChatModel implements ChatModel {
    private final ChatSupport support;

    private AutoGlmChatModel(ChatSupport support) {
        this.support = support;
    }

    /**
     * @param model the loaded model to chat with (not closed by this adapter)
     * @return a builder
     */
    public static Builder builder(LanguageModel model) {
        return new Builder(model);
    }

    @Override
    public ChatResponse doChat(ChatRequest chatRequest) {
        ChatSupport.Prepared prepared = support.prepare(chatRequest);
        io.autoglm.ChatResponse result;
        try {
            result = support.model().chat(prepared.request());
        } catch (RuntimeException e) {
            throw ChatSupport.translate(e);
        }
        return support.toResponse(prepared, result, null);
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return support.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return support.listeners();
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return support.capabilities();
    }

    @Override
    public String toString() {
        return "AutoGlmChatModel[" + support.modelName() + "]";
    }

    /** Builder for {@link AutoGlmChatModel}; setters validate at once. */
    public static final class Builder extends ChatModelBuilder<Builder> {

        private Builder(LanguageModel model) {
            super(model);
        }

        /** @return the chat model */
        public AutoGlmChatModel build() {
            return new AutoGlmChatModel(settings.build());
        }
    }
}

package io.autoglm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat request: messages rendered through a chat template (the model's own, or the one named
 * with {@link Builder#chatTemplate(String)}), followed by the assistant's turn.
 *
 * <pre>{@code
 * ChatRequest r = ChatRequest.builder()
 *         .message(ChatMessage.system("You are terse."))
 *         .message(ChatMessage.user("Hi!"))
 *         .maxTokens(32)
 *         .build();
 * }</pre>
 */
public final class ChatRequest {
    private final List<ChatMessage> messages;
    private final String chatTemplate;
    private final GenerationOptions options;

    private ChatRequest(Builder b) {
        this.messages = List.copyOf(b.messages);
        this.chatTemplate = b.chatTemplate;
        this.options = b.buildOptions();
    }

    /** @param userMessage one user message @return a greedy request with default options */
    public static ChatRequest of(String userMessage) {
        return builder().message(ChatMessage.user(userMessage)).build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the messages, in order */
    public List<ChatMessage> messages() {
        return messages;
    }

    /**
     * @return the chat template for this request: a Jinja template text or a llama.cpp built-in name
     *     such as {@code chatml}; empty means the model's default
     */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** @return the generation options */
    public GenerationOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "ChatRequest[messages=" + messages.size() + ", chatTemplate=" + chatTemplate + ", " + options + "]";
    }

    /** Builder for {@link ChatRequest}. */
    public static final class Builder extends GenerationOptions.Builder<Builder> {
        private final List<ChatMessage> messages = new ArrayList<>();
        private String chatTemplate;

        private Builder() {
        }

        /** @param v a message to append @return this */
        public Builder message(ChatMessage v) {
            messages.add(Objects.requireNonNull(v, "message"));
            return this;
        }

        /** @param v messages; replaces earlier ones @return this */
        public Builder messages(List<ChatMessage> v) {
            Objects.requireNonNull(v, "messages");
            messages.clear();
            v.forEach(this::message);
            return this;
        }

        /** @param v a template text or built-in name ({@code chatml}, {@code llama2}, ...); null = model default @return this */
        public Builder chatTemplate(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
            return this;
        }

        /** @return the request @throws IllegalStateException when there are no messages */
        public ChatRequest build() {
            if (messages.isEmpty()) {
                throw new IllegalStateException("at least one message is required");
            }
            return new ChatRequest(this);
        }
    }
}

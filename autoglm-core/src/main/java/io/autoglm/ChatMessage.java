package io.autoglm;

import java.util.Objects;

/**
 * One message of a chat: a role ({@code system}, {@code user}, {@code assistant}, or any role the
 * model's chat template knows) and its text.
 *
 * @param role the speaker's role, never blank
 * @param content the message text, may be empty
 */
public record ChatMessage(String role, String content) {
    /** Validates the components. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("role must not be blank");
        }
    }

    /** @param content text @return a {@code system} message */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** @param content text @return a {@code user} message */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** @param content text @return an {@code assistant} message */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}

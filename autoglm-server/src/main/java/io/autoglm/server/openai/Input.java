package io.autoglm.server.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;

/**
 * One prompt or embedding input: text, or token ids (exactly one of them is set).
 *
 * @param text the text, or null
 * @param tokens the token ids, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Input(String text, int[] tokens) {
    /** Checks that exactly one form is given. */
    public Input {
        if ((text == null) == (tokens == null)) {
            throw new IllegalArgumentException("exactly one of text and tokens must be set");
        }
        tokens = tokens == null ? null : tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens == null ? null : tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Input i && java.util.Objects.equals(text, i.text) && Arrays.equals(tokens, i.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hashCode(text) + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return text != null ? "Input[text=" + text.length() + " chars]" : "Input[tokens=" + tokens.length + "]";
    }
}

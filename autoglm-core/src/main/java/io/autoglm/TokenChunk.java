package io.autoglm;

import java.util.Optional;

/**
 * One step of a streamed generation.
 *
 * @param index position of the token among the generated tokens, from 0
 * @param token the token id; -1 for a last chunk that carries only text held back until the end
 *     (a possible start of a stop string, or an unfinished UTF-8 character)
 * @param text the text this chunk adds; may be empty when a token completes no whole UTF-8
 *     character yet or when text is held back because it may begin a stop string
 * @param logprob the token's log-probability, or null when the request did not ask for
 *     {@link GenerationOptions#logprobs() logprobs} (and for a last chunk without a token); see {@link #logprobs()}
 */
public record TokenChunk(int index, int token, String text, TokenLogprob logprob) {
    /**
     * A chunk without log-probabilities.
     *
     * @param index position among the generated tokens
     * @param token the token id, or -1
     * @param text the text this chunk adds
     */
    public TokenChunk(int index, int token, String text) {
        this(index, token, text, null);
    }

    /** @return the token's log-probability and alternatives, when the request asked for them */
    public Optional<TokenLogprob> logprobs() {
        return Optional.ofNullable(logprob);
    }
}

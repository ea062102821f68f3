package io.autoglm;

/**
 * One step of a streamed generation.
 *
 * @param index position of the token among the generated tokens, from 0
 * @param token the token id; -1 for a last chunk that carries only text held back until the end
 *     (a possible start of a stop string, or an unfinished UTF-8 character)
 * @param text the text this chunk adds; may be empty when a token completes no whole UTF-8
 *     character yet or when text is held back because it may begin a stop string
 */
public record TokenChunk(int index, int token, String text) {
}

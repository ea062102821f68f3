package io.autoglm;

/**
 * A GBNF grammar was refused by llama.cpp's parser, or the output reached a point from which the
 * grammar allows no token (it cannot be completed). A caller mistake: only the request that
 * carried the grammar fails.
 */
public class GrammarException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong */
    public GrammarException(String message) {
        super(message);
    }
}

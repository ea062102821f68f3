package io.autoglm.engine;

import io.autoglm.backend.BackendModel;

/**
 * A model's token pieces and kinds, read once at load so that generation turns tokens into text
 * without calling back into the backend. Immutable, shared by all threads.
 */
final class Vocabulary {
    private static final byte[] NONE = new byte[0];

    private final byte[][] pieces;
    private final boolean[] control;
    private final boolean[] endOfGeneration;
    private final int bos;

    private Vocabulary(byte[][] pieces, boolean[] control, boolean[] endOfGeneration, int bos) {
        this.pieces = pieces;
        this.control = control;
        this.endOfGeneration = endOfGeneration;
        this.bos = bos;
    }

    /** Reads every token of a backend model (on a thread where its vocabulary may be used). */
    static Vocabulary of(BackendModel m) {
        int n = m.vocabSize();
        byte[][] pieces = new byte[n][];
        boolean[] control = new boolean[n];
        boolean[] eog = new boolean[n];
        for (int t = 0; t < n; t++) {
            pieces[t] = m.tokenBytes(t);
            control[t] = m.isControl(t);
            eog[t] = m.isEndOfGeneration(t);
        }
        int[] empty = m.tokenize("", true, false);
        return new Vocabulary(pieces, control, eog, empty.length > 0 ? empty[0] : -1);
    }

    int size() {
        return pieces.length;
    }

    /** @return the model's BOS id when it adds one to every prompt, else -1 */
    int bos() {
        return bos;
    }

    /**
     * @param token a token id
     * @param renderSpecial true to render control tokens ({@code <s>}, {@code </s>}, chat markers) as text
     * @return the token's raw UTF-8 bytes in generated text (empty for control tokens unless rendered)
     */
    byte[] piece(int token, boolean renderSpecial) {
        if (token < 0 || token >= pieces.length) {
            return NONE;
        }
        return control[token] && !renderSpecial ? NONE : pieces[token];
    }

    /** @return the raw bytes of a token, control tokens rendered */
    byte[] rawPiece(int token) {
        return token < 0 || token >= pieces.length ? NONE : pieces[token];
    }

    boolean isEndOfGeneration(int token) {
        return token >= 0 && token < endOfGeneration.length && endOfGeneration[token];
    }

    boolean isControl(int token) {
        return token >= 0 && token < control.length && control[token];
    }
}

package io.autoglm;

/** Receives the raw next-token logits at each position of an evaluated token sequence. */
@FunctionalInterface
public interface LogitsConsumer {
    /**
     * @param position index in the evaluated sequence of the token after which these logits predict
     * @param logits the vocabulary-sized logits; valid only during the call (copy to keep)
     */
    void accept(int position, float[] logits);
}

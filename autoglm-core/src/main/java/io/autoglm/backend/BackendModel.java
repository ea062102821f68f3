package io.autoglm.backend;

import io.autoglm.ChatMessage;
import io.autoglm.LogitsConsumer;
import java.util.List;
import java.util.Optional;

/**
 * A model loaded by a backend. Not thread-safe: the engine serialises calls. Implementations run
 * every native decode of a context on one thread they own. {@link #close()} is idempotent.
 */
public interface BackendModel extends AutoCloseable {
    /** @return backend name, {@code ffm} or {@code jni} */
    String backendName();

    /** @return the native library serving the model: path, llama.cpp version/ABI generation */
    String nativeLibrary();

    /** @return context window in tokens */
    int contextSize();

    /** @return vocabulary size */
    int vocabSize();

    /** @return embedding dimension */
    int embeddingLength();

    /**
     * @param text text
     * @param addSpecial add BOS/EOS as the vocabulary asks
     * @param parseSpecial parse special-token text
     * @return token ids
     */
    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * @param token a token id
     * @return the raw UTF-8 bytes of the token's text (special tokens rendered), possibly a partial character
     */
    byte[] tokenBytes(int token);

    /** @param token a token id @return true for end-of-generation tokens (EOS, EOT, ...) */
    boolean isEndOfGeneration(int token);

    /** @return the model's own chat template ({@code tokenizer.chat_template}), if any */
    Optional<String> chatTemplate();

    /**
     * @param template template text or built-in name; never null (the engine picks the default)
     * @param messages messages
     * @param addAssistant end with the assistant's turn opening
     * @return the rendered prompt
     * @throws IllegalArgumentException when the template is not supported
     */
    String applyChatTemplate(String template, List<ChatMessage> messages, boolean addAssistant);

    /**
     * Generates from a fresh context state (previous state is discarded).
     *
     * @param spec what to generate
     * @param sink receives each token
     * @return how it ended and timings
     */
    GenerationResult generate(GenerationSpec spec, TokenSink sink);

    /**
     * @param tokens tokens to embed (fit the context)
     * @param normalize L2-normalise
     * @return the pooled embedding
     */
    float[] embed(int[] tokens, boolean normalize);

    /**
     * Evaluates tokens from a fresh context state and hands the logits after every position to the consumer.
     *
     * @param tokens tokens (fit the context)
     * @param consumer receives logits per position
     * @throws UnsupportedOperationException when the backend cannot expose logits
     */
    void evaluate(int[] tokens, LogitsConsumer consumer);

    /** Frees native memory. Idempotent. */
    @Override
    void close();
}

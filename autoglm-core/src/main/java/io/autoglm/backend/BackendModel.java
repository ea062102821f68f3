package io.autoglm.backend;

import io.autoglm.Capability;
import io.autoglm.ChatMessage;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model loaded by a backend: what every backend offers (metadata, vocabulary, chat templates).
 * How generation runs depends on the sub-interface: {@link BatchBackendModel} lets the engine drive
 * decoding step by step with many sequences at once; {@link SerialBackendModel} runs whole
 * generations one at a time. The engine loads a model on the thread that will drive it and calls
 * every method from there unless {@link #isVocabularyThreadSafe()} says otherwise. {@link #close()}
 * is idempotent.
 */
public interface BackendModel extends AutoCloseable {
    /** @return backend name, {@code ffm} or {@code jni} */
    String backendName();

    /** @return the native library serving the model: path, llama.cpp version/ABI generation */
    String nativeLibrary();

    /** @return context window of one sequence, in tokens */
    int contextSize();

    /** @return vocabulary size */
    int vocabSize();

    /** @return embedding dimension */
    int embeddingLength();

    /** @return what this model can do as loaded (batching, logits, per-request templates, ...) */
    Set<Capability> capabilities();

    /**
     * @return true when {@link #tokenize}, {@link #tokenBytes}, {@link #isEndOfGeneration},
     *     {@link #isControl}, {@link #chatTemplate} and {@link #applyChatTemplate} may be called from
     *     any thread at any time (then the engine tokenizes on the callers' threads)
     */
    boolean isVocabularyThreadSafe();

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

    /**
     * @param token a token id
     * @return true for control tokens (BOS, EOS, chat-turn markers...) whose text is not part of a
     *     generated reply
     */
    boolean isControl(int token);

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

    /** Frees native memory. Idempotent. */
    @Override
    void close();
}

package io.autoglm;

import java.util.List;

/**
 * A loaded GGUF language model. Thread-safe: any number of threads may call it at once and each
 * gets exactly the answer it would get alone. Closing it waits for running requests to stop
 * (they are cancelled) and frees native memory; any call after {@link #close()} throws
 * {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (LanguageModel model = AutoGLM.builder().model(Path.of("stories260K.gguf")).build()) {
 *     System.out.println(model.complete("Once upon a time").text());
 * }
 * }</pre>
 */
public interface LanguageModel extends AutoCloseable {

    /** @param prompt prompt text @return a greedy completion with default options */
    default Completion complete(String prompt) {
        return complete(CompletionRequest.of(prompt));
    }

    /**
     * Completes a prompt.
     *
     * @param request the request
     * @return the completion
     * @throws ContextOverflowException when the prompt does not fit and truncation was not asked for
     * @throws RequestRejectedException when the request queue is full
     */
    Completion complete(CompletionRequest request);

    /**
     * Completes a prompt, handing each chunk to {@code listener} as it is generated.
     *
     * @param request the request
     * @param listener receives each chunk; returning false cancels
     * @return the completion
     */
    Completion complete(CompletionRequest request, TokenListener listener);

    /** @param request the request @return a stream of chunks; the caller closes it */
    TokenStream stream(CompletionRequest request);

    /** @param userMessage one user message @return the reply, greedy, default options */
    default ChatResponse chat(String userMessage) {
        return chat(ChatRequest.of(userMessage));
    }

    /** @param request the request @return the assistant's reply */
    ChatResponse chat(ChatRequest request);

    /**
     * @param request the request
     * @param listener receives each chunk; returning false cancels
     * @return the assistant's reply
     */
    ChatResponse chat(ChatRequest request, TokenListener listener);

    /** @param request the request @return a stream of the reply's chunks; the caller closes it */
    TokenStream streamChat(ChatRequest request);

    /**
     * Renders messages through a chat template.
     *
     * @param messages the messages
     * @param chatTemplate template text or built-in name ({@code chatml}, ...), or null for the model's own
     * @param addAssistantPrompt true to end with the opening of the assistant's turn
     * @return the rendered prompt
     */
    String applyChatTemplate(List<ChatMessage> messages, String chatTemplate, boolean addAssistantPrompt);

    /** @param text text @return the L2-normalised pooled embedding of {@code text} */
    default float[] embed(String text) {
        return embed(text, true);
    }

    /**
     * @param text text to embed
     * @param normalize true to L2-normalise the pooled vector
     * @return the pooled embedding, of {@link ModelInfo#embeddingLength()} values
     */
    float[] embed(String text, boolean normalize);

    /**
     * Embeds many texts, decoding several of them together where the backend can (one
     * sequence each, pooled per sequence); the vectors are those {@link #embed(String, boolean)}
     * gives one at a time, up to floating-point rounding.
     *
     * @param texts texts to embed, none null
     * @param normalize true to L2-normalise each vector
     * @return one vector per text, in order
     */
    default List<float[]> embedAll(List<String> texts, boolean normalize) {
        java.util.Objects.requireNonNull(texts, "texts");
        List<float[]> out = new java.util.ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(embed(java.util.Objects.requireNonNull(texts.get(i), "texts[" + i + "]"), normalize));
        }
        return out;
    }

    /** @param texts texts to embed @return their L2-normalised vectors, in order */
    default List<float[]> embedAll(List<String> texts) {
        return embedAll(texts, true);
    }

    /**
     * @param tokens token ids to embed as they are (no BOS added), at least one
     * @param normalize true to L2-normalise the pooled vector
     * @return the pooled embedding
     */
    float[] embedTokens(int[] tokens, boolean normalize);

    /** @param text text @return token ids, with the model's BOS token when it adds one, special tokens parsed */
    default int[] tokenize(String text) {
        return tokenize(text, true, true);
    }

    /**
     * @param text text
     * @param addSpecial add BOS/EOS as the model's vocabulary asks
     * @param parseSpecial recognise special-token text such as {@code <s>}
     * @return token ids
     */
    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial);

    /** @param tokens token ids @return their text, special tokens rendered */
    String detokenize(int[] tokens);

    /**
     * Evaluates a token sequence from an empty context and hands over the logits after every position
     * (used to measure perplexity and KL divergence).
     *
     * @param tokens tokens, at most the context size
     * @param consumer receives (position, logits) for every position, in order
     * @throws UnsupportedOperationException when the backend cannot expose logits (JNI)
     */
    void evaluate(int[] tokens, LogitsConsumer consumer);

    /** @return what the model is and how it is served */
    ModelInfo info();

    /** @return how the model is serving right now (queue, sequences, KV cache, token rates); cheap, any thread */
    ModelStats stats();

    /** Cancels running requests, waits for them, and frees native memory. Idempotent. */
    @Override
    void close();
}

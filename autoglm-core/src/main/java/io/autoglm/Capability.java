package io.autoglm;

/**
 * Something a loaded model can do or not, depending on its backend and file; ask
 * {@link ModelInfo#capabilities()} instead of catching exceptions.
 */
public enum Capability {
    /** Many requests are decoded together in one native call ({@code parallel > 1} possible). */
    BATCHING,
    /** Prompt prefixes are reused across requests ({@link Usage#cachedPromptTokens()}). */
    PREFIX_CACHE,
    /** {@link LanguageModel#embed(String)} and {@link LanguageModel#embedAll(java.util.List)}. */
    EMBEDDINGS,
    /** {@link LanguageModel#evaluate(int[], LogitsConsumer)} hands out raw logits. */
    LOGITS,
    /** {@link GenerationOptions#logprobs()} is honoured. */
    LOGPROBS,
    /** {@link SamplingParams#logitBias()} is honoured. */
    LOGIT_BIAS,
    /** GBNF grammars constrain the output. */
    GRAMMAR,
    /** {@link ChatRequest#chatTemplate()} may name a different template per request. */
    PER_REQUEST_CHAT_TEMPLATE,
    /** {@link LanguageModel#tokenize(String, boolean, boolean)} honours {@code parseSpecial = false}. */
    RAW_SPECIAL_TOKENS
}

/**
 * LangChain4j adapters over an in-process AutoGLM model: {@link io.autoglm.langchain4j.AutoGlmChatModel},
 * {@link io.autoglm.langchain4j.AutoGlmStreamingChatModel} and {@link io.autoglm.langchain4j.AutoGlmEmbeddingModel}.
 * Tool calls and JSON response formats are enforced by grammars ({@link io.autoglm.grammar}), so they work on small
 * models too. See docs/frameworks.md.
 */
package io.autoglm.langchain4j;

/**
 * Spring AI adapters over an in-process AutoGLM model: {@link io.autoglm.spring.ai.AutoGlmChatModel} (call and
 * stream, grammar-enforced structured output) and {@link io.autoglm.spring.ai.AutoGlmEmbeddingModel}. The Spring Boot
 * starter creates them from {@code autoglm.*} properties; see docs/frameworks.md.
 */
package io.autoglm.spring.ai;

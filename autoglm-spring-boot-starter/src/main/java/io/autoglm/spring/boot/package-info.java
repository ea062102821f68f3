/**
 * Spring Boot auto-configuration for AutoGLM: the {@code LanguageModel} bean from {@code autoglm.*} properties
 * ({@link io.autoglm.spring.boot.AutoGlmProperties}), the Spring AI chat and embedding models, an Actuator health
 * indicator, Micrometer meters and a start-up failure report. Every bean backs off when you define your own.
 */
package io.autoglm.spring.boot;

/**
 * The embeddable OpenAI-compatible server: {@link io.autoglm.server.OpenAiServer} with its builder,
 * the {@link io.autoglm.server.ModelRegistry} seam that maps request names to models, and
 * {@link io.autoglm.server.ApiKey}s with their limits.
 */
package io.autoglm.server;

package io.autoglm.server.internal;

import io.autoglm.server.ApiKey;
import io.autoglm.server.ModelRegistry;
import io.autoglm.server.openai.SchemaCompiler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@link HttpApi} is configured with (built by {@code OpenAiServer.Builder}).
 *
 * @param registry where models are found
 * @param keys accepted API keys; empty = no authentication
 * @param host bind address
 * @param port port, 0 = any free one
 * @param maxBodyBytes largest request body
 * @param maxPromptTokens most prompt tokens per request, 0 = the model's context
 * @param requestTimeout most time one request may take
 * @param shutdownTimeout how long close() lets running requests finish
 * @param cacheBytes response cache bound in bytes, 0 = no cache
 * @param cacheTtl how long a cached answer is kept
 * @param metricsOpen whether /metrics needs no key
 * @param streamBuffer tokens buffered per stream before a slow reader is cut off
 * @param schemaCompiler JSON Schema to GBNF
 * @param meters where metrics go, or null for a registry of the server's own
 */
public record Settings(ModelRegistry registry, List<ApiKey> keys, String host, int port, long maxBodyBytes, int maxPromptTokens,
        Duration requestTimeout, Duration shutdownTimeout, long cacheBytes, Duration cacheTtl, boolean metricsOpen,
        int streamBuffer, SchemaCompiler schemaCompiler, PrometheusMeterRegistry meters) {
}

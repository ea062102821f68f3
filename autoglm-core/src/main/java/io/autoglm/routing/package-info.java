/**
 * Task recognition and model recommendation: {@link io.autoglm.routing.TaskRouter} embeds a request's text with a
 * pluggable {@link io.autoglm.routing.EmbeddingFunction}, finds the nearest labelled examples (defaults for chat,
 * summarization, translation, code, math, extraction and classification ship with the library; users add their own),
 * and scores the configured {@link io.autoglm.routing.ModelProfile}s to pick a model, explaining why in a
 * {@link io.autoglm.routing.RoutingDecision}.
 */
package io.autoglm.routing;

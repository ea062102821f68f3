/**
 * OpenAI's wire format for chat completions, completions, embeddings and models, and its mapping
 * onto {@link io.autoglm.LanguageModel} calls. Nothing here knows HTTP: {@link io.autoglm.server.openai.RequestParser}
 * reads bodies, {@link io.autoglm.server.openai.OpenAiService} prepares and maps requests,
 * {@link io.autoglm.server.openai.Generation} runs their choices with a bounded buffer, and the
 * records are written with {@link io.autoglm.server.openai.OpenAiJson}.
 */
package io.autoglm.server.openai;

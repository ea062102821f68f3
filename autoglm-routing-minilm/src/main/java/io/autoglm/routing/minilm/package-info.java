/**
 * LangChain4j's in-process all-MiniLM-L6-v2 sentence embedding (ONNX Runtime, 384 dimensions, no network) as the
 * {@link io.autoglm.routing.EmbeddingFunction} of {@link io.autoglm.routing.TaskRouter}: {@link
 * io.autoglm.routing.minilm.MiniLmEmbeddings#create()}, or by name ({@code minilm}) through
 * {@link io.autoglm.routing.EmbeddingProvider}. Class path only: the LangChain4j jars split a package between them, so
 * they cannot be automatic modules together.
 */
package io.autoglm.routing.minilm;

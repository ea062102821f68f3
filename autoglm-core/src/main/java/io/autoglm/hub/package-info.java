/**
 * Model references and downloads. {@link io.autoglm.hub.ModelHub} turns a reference — a local path,
 * {@code hf://owner/repo/file.gguf[@revision]}, an {@code https://} URL, or a {@link io.autoglm.hub.ModelCatalog}
 * name such as {@code stories260k} — into a local GGUF file: from its content-addressed cache
 * ({@code ~/.cache/autoglm/models}, moved by {@code AUTOGLM_CACHE_DIR}), from the folders on {@code AUTOGLM_MODELS},
 * or by downloading it (resumable, retried, SHA-256 verified, moved into place atomically, locked against other
 * processes). {@link io.autoglm.AutoGLM.Builder#model(String)} resolves through it.
 *
 * <pre>{@code
 * ModelHub hub = ModelHub.builder().listener(p -> System.err.println(p.bytesDone() + "/" + p.totalBytes())).build();
 * ResolvedModel m = hub.resolve("stories260k");
 * try (LanguageModel model = AutoGLM.builder().model(m.path()).build()) { ... }
 * }</pre>
 */
package io.autoglm.hub;

/**
 * AutoGLM's public API: {@link io.autoglm.AutoGLM} builds a {@link io.autoglm.LanguageModel} from a GGUF file.
 */
package io.autoglm;

/**
 * Semantic checks of GGUF model files before any native code sees them: {@link io.autoglm.validate.ModelValidator}
 * refuses hyperparameters, vocabularies and tensor layouts that llama.cpp would abort on (a {@code GGML_ASSERT}, an
 * uncaught C++ exception) instead of returning an error. {@link io.autoglm.AutoGLM.Builder#build()} runs it for every
 * model; it can also be called on its own.
 */
package io.autoglm.validate;

/**
 * The {@code jni} backend over de.kherud:llama's Java API. Not exported: reached through
 * {@link java.util.ServiceLoader} as an {@link io.autoglm.backend.InferenceBackend}.
 */
package io.autoglm.backend.jni;

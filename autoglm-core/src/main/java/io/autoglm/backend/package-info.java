/**
 * The backend SPI: how the engine talks to a native path ({@code ffm} or {@code jni}). Host
 * applications use {@link io.autoglm.LanguageModel}; this package is for backend implementers.
 */
package io.autoglm.backend;

/**
 * Not API: helpers shared by the backends and by {@code autoglm-quant} (the bundled native library,
 * argument checks, the level of native log lines). Exported to AutoGLM's own modules only.
 */
package io.autoglm.internal;

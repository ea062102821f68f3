package io.autoglm.internal;

import java.util.List;

/**
 * Which SLF4J level a llama.cpp log line gets, for both backends. llama.cpp prints some lines at its
 * WARN level on every ordinary load: GGUF metadata that marks an optional special token as absent
 * ({@code bad special token: ... using default id -1}), a model whose EOS is not in its end-of-generation
 * set, a context smaller than the trained length ({@code n_ctx_per_seq (512) < n_ctx_train (2048)}),
 * which is the caller's choice, and a batch below 64 that llama.cpp rounds up by itself. Those are logged at DEBUG; every other WARN line stays WARN, ERROR stays
 * ERROR, INFO (the per-tensor and metadata dump) is DEBUG and llama.cpp's DEBUG is TRACE.
 */
public final class NativeLogLevels {
    /** Substrings of llama.cpp WARN lines that every routine load prints. */
    private static final List<String> ROUTINE_WARNINGS = List.of(
            "bad special token:",
            "is not in special_eog_ids",
            ") < n_ctx_train (", // n_ctx_per_seq (b4916) / n_ctx_seq (current); the ">" overflow stays WARN
            "n_batch is less than GGML_KQ_MASK_PAD");

    /**
     * Substrings of llama.cpp ERROR lines about a batch that found no room in the KV cache: the engine
     * handles that (it evicts cached prefixes, splits the batch or pre-empts a sequence), and reports
     * through an exception whatever it cannot handle.
     */
    private static final List<String> HANDLED_ERRORS = List.of(
            "failed to prepare ubatch",
            "failed to find KV cache slot",
            "failed to find a memory slot",
            "llama_decode: failed to decode, ret = ");

    private NativeLogLevels() {
    }

    /**
     * @param line a llama.cpp line logged at ERROR
     * @return whether the engine handles it (logged at DEBUG; the FFM backend still reads it)
     */
    public static boolean isHandledError(String line) {
        for (String s : HANDLED_ERRORS) {
            if (line.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param line a llama.cpp line logged at WARN
     * @return whether it is routine load chatter (logged at DEBUG) rather than a problem (WARN)
     */
    public static boolean isRoutineWarning(String line) {
        for (String s : ROUTINE_WARNINGS) {
            if (line.contains(s)) {
                return true;
            }
        }
        return false;
    }
}

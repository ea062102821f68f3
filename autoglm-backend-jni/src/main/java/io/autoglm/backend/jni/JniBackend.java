package io.autoglm.backend.jni;

import io.autoglm.ModelLoadException;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.InferenceBackend;
import io.autoglm.backend.ModelSpec;
import java.util.Objects;

/**
 * The {@code jni} backend: models served by de.kherud:llama 4.2.0's own Java API, for hosts that
 * cannot enable native access for the FFM backend. It uses the same native library as the FFM
 * backend (the copy {@link io.autoglm.internal.BundledLibrary} extracted), by setting
 * {@code de.kherud.llama.lib.path} to its folder before the binding first loads, and gives the
 * binding's loader its own {@code de.kherud.llama.tmpdir} (it deletes {@code jllama*}/{@code llama*}
 * files there at start-up, which must never hit {@code java.io.tmpdir}).
 *
 * <p>How the binding's traps are handled:
 * <ul>
 *   <li>Its {@code close()} frees no native memory (model, context and KV cache stay allocated until
 *       the process ends: documented, cannot be fixed from Java) and leaves its server thread attached
 *       to the JVM as a non-daemon thread. A daemon watchdog treats those threads as daemons: once
 *       {@code main} has returned and only they remain, it calls {@code System.exit(0)} so the JVM
 *       ends. Disable with {@code -Dautoglm.jni.exitWatchdog=false}.</li>
 *   <li>Warm-up runs on the caller's thread and decoding on the binding's thread, which collapses
 *       throughput with OpenMP thread teams: models are loaded with {@code skipWarmup()}.</li>
 *   <li>llama.cpp's log lines go to SLF4J logger {@code io.autoglm.native.llama}; the server's own
 *       log lines (common_log, printed to stderr) are switched off with {@code disableLog()}.</li>
 *   <li>Streaming returns text, not token ids: ids are recovered from the streamed pieces (see
 *       {@code PieceIndex}); when several tokens render the same text, greedy generations are
 *       disambiguated with single-token probe requests that ban candidates.</li>
 * </ul>
 * Sampling runs in the binding's llama.cpp server code, with llama.cpp's conventions: the prompt
 * tokens are part of the repetition-penalty history; {@code ignoreEos} bans the EOS token (logit bias
 * -inf) rather than passing it on; a grammar is checked after sampling and the token resampled with
 * the grammar only when rejected. Greedy output and seeded sampling without penalties or grammar
 * give the FFM backend's token ids (tested); with penalties, {@code ignoreEos} or a grammar under
 * temperature sampling the two backends may differ. The binding ignores a GBNF grammar it cannot
 * parse, so grammars are syntax-checked here first.
 *
 * <p>Other limits: no logits ({@code evaluate} throws {@link UnsupportedOperationException}), only
 * L2-normalised embeddings of detokenized text, one chat template per loaded model, tokenization
 * always parses special-token text, no vocab-only loading, no native memory release.
 */
public final class JniBackend implements InferenceBackend {
    /** Creates the backend; nothing native happens until {@link #load}. */
    public JniBackend() {
    }

    @Override
    public String name() {
        return "jni";
    }

    @Override
    public BackendModel load(ModelSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.path(), "spec.path");
        if (spec.nativeLibrary() != null) {
            throw new ModelLoadException("the jni backend runs only the libjllama bundled in de.kherud:llama "
                    + io.autoglm.internal.BundledLibrary.KHERUD_VERSION + "; nativeLibrary(" + spec.nativeLibrary()
                    + ") needs the ffm backend");
        }
        if (spec.device() != null && spec.device().isGpu()) {
            throw new ModelLoadException("device " + spec.device() + ": the jni backend runs only the CPU library bundled in "
                    + "de.kherud:llama " + io.autoglm.internal.BundledLibrary.KHERUD_VERSION + "; use the ffm backend with a "
                    + "llama.cpp build that has the " + spec.device().registryName() + " backend (" + spec.device().cmakeOption()
                    + ", see native/GPU.md)");
        }
        if (spec.flashAttention()) {
            throw new ModelLoadException("flashAttention needs the ffm backend on the current llama.cpp generation; "
                    + "the jni backend does not offer it");
        }
        io.autoglm.internal.Checks.modelFile(spec.path());
        return JniModel.load(spec);
    }
}

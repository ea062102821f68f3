package io.autoglm.testing;

import io.autoglm.gguf.GgufFile;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.autoglm.internal.BundledLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Test-only check that llama.cpp (the bundled b4916 library) loads a GGUF file and decodes with it:
 * a few greedy steps through the C API. Kept minimal on purpose; the product's FFM backend lives in
 * {@code io.autoglm.backend.ffm}. Only files {@link GgufFile} accepted are handed to it.
 */
public final class LlamaSmoke {
    private LlamaSmoke() {
    }

    /** Result of a smoke run. */
    public record Result(long nParams, int nVocab, int[] generated) {
    }

    private static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            MemoryLayout.paddingLayout(4), ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_BOOLEAN, JAVA_BOOLEAN, JAVA_BOOLEAN,
            JAVA_BOOLEAN, MemoryLayout.paddingLayout(4));
    private static final StructLayout CTX_PARAMS = MemoryLayout.structLayout(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT,
            JAVA_INT, JAVA_FLOAT, MemoryLayout.paddingLayout(4), ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN,
            JAVA_BOOLEAN, JAVA_BOOLEAN, JAVA_BOOLEAN, JAVA_BOOLEAN, MemoryLayout.paddingLayout(3), ADDRESS, ADDRESS);
    private static final StructLayout BATCH = MemoryLayout.structLayout(JAVA_INT, MemoryLayout.paddingLayout(4), ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);

    private static final class Lib {
        static final MethodHandle BACKEND_INIT;
        static final MethodHandle MODEL_DEFAULT;
        static final MethodHandle MODEL_LOAD;
        static final MethodHandle MODEL_FREE;
        static final MethodHandle MODEL_N_PARAMS;
        static final MethodHandle MODEL_VOCAB;
        static final MethodHandle VOCAB_N;
        static final MethodHandle CTX_DEFAULT;
        static final MethodHandle CTX_INIT;
        static final MethodHandle CTX_FREE;
        static final MethodHandle BATCH_ONE;
        static final MethodHandle DECODE;
        static final MethodHandle LOGITS_ITH;

        static {
            Linker l = Linker.nativeLinker();
            SymbolLookup s = SymbolLookup.libraryLookup(BundledLibrary.path(), Arena.global());
            BACKEND_INIT = l.downcallHandle(s.findOrThrow("llama_backend_init"), FunctionDescriptor.ofVoid());
            MODEL_DEFAULT = l.downcallHandle(s.findOrThrow("llama_model_default_params"), FunctionDescriptor.of(MODEL_PARAMS));
            MODEL_LOAD = l.downcallHandle(s.findOrThrow("llama_model_load_from_file"),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
            MODEL_FREE = l.downcallHandle(s.findOrThrow("llama_model_free"), FunctionDescriptor.ofVoid(ADDRESS));
            MODEL_N_PARAMS = l.downcallHandle(s.findOrThrow("llama_model_n_params"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            MODEL_VOCAB = l.downcallHandle(s.findOrThrow("llama_model_get_vocab"), FunctionDescriptor.of(ADDRESS, ADDRESS));
            VOCAB_N = l.downcallHandle(s.findOrThrow("llama_vocab_n_tokens"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
            CTX_DEFAULT = l.downcallHandle(s.findOrThrow("llama_context_default_params"), FunctionDescriptor.of(CTX_PARAMS));
            CTX_INIT = l.downcallHandle(s.findOrThrow("llama_init_from_model"), FunctionDescriptor.of(ADDRESS, ADDRESS, CTX_PARAMS));
            CTX_FREE = l.downcallHandle(s.findOrThrow("llama_free"), FunctionDescriptor.ofVoid(ADDRESS));
            BATCH_ONE = l.downcallHandle(s.findOrThrow("llama_batch_get_one"), FunctionDescriptor.of(BATCH, ADDRESS, JAVA_INT));
            DECODE = l.downcallHandle(s.findOrThrow("llama_decode"), FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
            LOGITS_ITH = l.downcallHandle(s.findOrThrow("llama_get_logits_ith"), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            try {
                BACKEND_INIT.invokeExact();
            } catch (Throwable t) {
                throw new ExceptionInInitializerError(t);
            }
        }
    }

    /**
     * Loads the model (after {@link GgufFile} accepted it), decodes {@code prompt} and {@code steps} greedy tokens.
     *
     * @param model a GGUF file
     * @param prompt token ids
     * @param steps tokens to generate
     * @return parameter and vocab counts as llama.cpp sees them, and the generated ids
     */
    public static synchronized Result greedy(Path model, int[] prompt, int steps) {
        try (GgufFile f = GgufFile.open(model)) {
            f.tensors(); // validated: only accepted files reach the native loader
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mp = (MemorySegment) Lib.MODEL_DEFAULT.invokeExact((java.lang.foreign.SegmentAllocator) a);
            MemorySegment m = (MemorySegment) Lib.MODEL_LOAD.invokeExact(a.allocateFrom(model.toString()), mp);
            if (m.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama_model_load_from_file(" + model + ") returned NULL");
            }
            try {
                long nParams = (long) Lib.MODEL_N_PARAMS.invokeExact(m);
                int nVocab = (int) Lib.VOCAB_N.invokeExact((MemorySegment) Lib.MODEL_VOCAB.invokeExact(m));
                MemorySegment cp = (MemorySegment) Lib.CTX_DEFAULT.invokeExact((java.lang.foreign.SegmentAllocator) a);
                cp.set(JAVA_INT, 0, 128);  // n_ctx
                cp.set(JAVA_INT, 4, 128);  // n_batch
                cp.set(JAVA_INT, 8, 128);  // n_ubatch
                cp.set(JAVA_INT, 16, 1);   // n_threads
                cp.set(JAVA_INT, 20, 1);   // n_threads_batch
                MemorySegment ctx = (MemorySegment) Lib.CTX_INIT.invokeExact(m, cp);
                if (ctx.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("llama_init_from_model returned NULL");
                }
                try {
                    int[] out = new int[steps];
                    MemorySegment toks = a.allocateFrom(JAVA_INT, prompt);
                    int n = prompt.length;
                    for (int s = 0; s < steps; s++) {
                        MemorySegment batch = (MemorySegment) Lib.BATCH_ONE.invokeExact((java.lang.foreign.SegmentAllocator) a, toks, n);
                        int rc = (int) Lib.DECODE.invokeExact(ctx, batch);
                        if (rc != 0) {
                            throw new IllegalStateException("llama_decode returned " + rc);
                        }
                        MemorySegment logits = ((MemorySegment) Lib.LOGITS_ITH.invokeExact(ctx, -1)).reinterpret(4L * nVocab);
                        int best = 0;
                        for (int i = 1; i < nVocab; i++) {
                            float v = logits.getAtIndex(JAVA_FLOAT, i);
                            if (!Float.isFinite(v)) {
                                throw new IllegalStateException("logit " + i + " is " + v);
                            }
                            if (v > logits.getAtIndex(JAVA_FLOAT, best)) {
                                best = i;
                            }
                        }
                        out[s] = best;
                        toks = a.allocateFrom(JAVA_INT, best);
                        n = 1;
                    }
                    return new Result(nParams, nVocab, out);
                } finally {
                    Lib.CTX_FREE.invokeExact(ctx);
                }
            } finally {
                Lib.MODEL_FREE.invokeExact(m);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}

package io.autoglm.bench;

import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import io.autoglm.engine.EngineAccess;
import io.autoglm.backend.ffm.FfmBackend;
import io.autoglm.backend.ffm.FfmDiagnostics;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The in-process native floor: {@code native/greedy_inproc.c} (the greedy loop of {@code greedy_common.h} as a
 * shared library) runs on the FFM backend's own decode thread and {@code llama_context}, so both loops use the same
 * model, KV memory, threadpool and settings, in the same process. Generations alternate FFM, C, C, FFM, ... and the
 * ratio of each adjacent pair is taken, which cancels the slow drifts of a shared machine; the table reports the
 * medians of both rates and the median and quartiles of the pair ratios. What it measures is exactly what the Java
 * side of the loop adds (downcalls, the token sink, the decode-thread hand-off); effects of the JVM process on
 * native code (its own threads, memory) are shared by both sides, which is what the separate-process comparison
 * of {@link DecodeComparison} covers.
 */
final class InProcess {
    private InProcess() {
    }

    static void run(Path model, Path inprocLib, Path nativeLibrary, int tokens, int rounds, int reps, int warmup,
            int[] threadCounts, int cpu) throws Throwable {
        if (!Files.isRegularFile(inprocLib)) {
            throw new IllegalArgumentException("--inproc " + inprocLib + " not found (build it with: make -C native inproc)");
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup = SymbolLookup.libraryLookup(inprocLib, Arena.global());
        MethodHandle init = linker.downcallHandle(lookup.findOrThrow("greedy_inproc_init"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle run = linker.downcallHandle(lookup.findOrThrow("greedy_inproc_run"),
                FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle error = linker.downcallHandle(lookup.findOrThrow("greedy_inproc_error"),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        int pairs = rounds * reps;
        System.out.printf(Locale.ROOT, "Decode in one process: FFM vs C on the same context | model %s | library %s | %d tokens | "
                + "%d pairs | load average %s%n", model.getFileName(), FfmBackend.describeLibrary(nativeLibrary), tokens, pairs,
                DecodeComparison.loadAverage());
        System.out.println("| threads | C tok/s median (min-max) | FFM tok/s median (min-max) | FFM/C of medians "
                + "| pair ratio median (quartiles) | same ids |");
        System.out.println("|---:|---|---|---:|---|:-:|");
        for (int threads : threadCounts) {
            try (LanguageModel m = DecodeComparison.open(model, Backend.FFM, threads, nativeLibrary); Arena arena = Arena.ofShared()) {
                int[] prompt = m.tokenize("Once upon a time", true, false);
                if (threads == 1 && cpu >= 0) {
                    Affinity.pinDecodeThread(m, cpu);
                }
                MemorySegment promptSeg = arena.allocateFrom(ValueLayout.JAVA_INT, prompt);
                MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, tokens);
                EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (ctx, vocab, lib) -> {
                    int rc = (int) init.invokeExact(arena.allocateFrom(lib.toString()));
                    if (rc != 0) {
                        throw new IllegalStateException("greedy_inproc_init: " + message(error));
                    }
                    return null;
                }));
                Native c = () -> EngineAccess.runExclusive(m, b -> FfmDiagnostics.withContext(b, (ctx, vocab, lib) -> {
                    double rate = (double) run.invokeExact(ctx, promptSeg, prompt.length, tokens, ids);
                    if (rate < 0) {
                        throw new IllegalStateException("greedy_inproc_run: " + message(error));
                    }
                    return rate;
                }));
                List<Integer> ffmIds = new ArrayList<>();
                for (int w = 0; w < warmup; w++) {
                    DecodeComparison.generate(m, prompt, tokens, null);
                    c.run();
                }
                double[] cr = new double[pairs];
                double[] fr = new double[pairs];
                double[] ratio = new double[pairs];
                boolean same = true;
                for (int i = 0; i < pairs; i++) {
                    ffmIds.clear();
                    if (i % 2 == 0) {
                        fr[i] = DecodeComparison.generate(m, prompt, tokens, ffmIds);
                        cr[i] = c.run();
                    } else {
                        cr[i] = c.run();
                        fr[i] = DecodeComparison.generate(m, prompt, tokens, ffmIds);
                    }
                    ratio[i] = fr[i] / cr[i];
                    int[] cIds = ids.toArray(ValueLayout.JAVA_INT);
                    same &= ffmIds.equals(Arrays.stream(cIds).boxed().toList());
                }
                double[] q = DecodeComparison.quartiles(ratio);
                double cm = DecodeComparison.median(cr);
                double fm = DecodeComparison.median(fr);
                System.out.printf(Locale.ROOT, "| %d | %,.0f (%,.0f-%,.0f) | %,.0f (%,.0f-%,.0f) | %.3f | %.3f (%.3f-%.3f) | %s |%n",
                        threads, cm, DecodeComparison.min(cr), DecodeComparison.max(cr), fm, DecodeComparison.min(fr),
                        DecodeComparison.max(fr), fm / cm, q[1], q[0], q[2], same ? "yes" : "NO");
                if (threads == 1 && cpu >= 0) {
                    Affinity.pinDecodeThread(m, -1); // the pooled decode thread may serve the next model
                }
            }
        }
    }

    @FunctionalInterface
    private interface Native {
        double run();
    }

    private static String message(MethodHandle error) throws Throwable {
        MemorySegment s = (MemorySegment) error.invokeExact();
        return s.reinterpret(256).getString(0);
    }
}

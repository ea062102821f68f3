package io.autoglm.bench;

import io.autoglm.LanguageModel;
import io.autoglm.engine.EngineAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the FFM decode thread to one CPU with Linux's {@code sched_setaffinity}. On a VM whose virtual CPUs run at
 * different speeds (on the CI machine one vCPU decodes about 40% faster than the other), a 1-thread comparison is
 * only fair when both loops run on the same CPU: the C process is started under {@code taskset -c N}.
 */
final class Affinity {
    private Affinity() {
    }

    /**
     * Pins the decode thread of {@code m} to {@code cpu}, or with {@code cpu == -1} lets it run on every CPU again
     * (the decode thread may be reused by the next model, and threads it creates inherit its mask).
     */
    static void pinDecodeThread(LanguageModel m, int cpu) {
        if (cpu < -1 || cpu >= 1024) {
            throw new IllegalArgumentException("cpu must be in [0, 1024) or -1, was " + cpu);
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle setAffinity = linker.downcallHandle(linker.defaultLookup().findOrThrow("sched_setaffinity"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        int rc = EngineAccess.runExclusive(m, b -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment mask = a.allocate(128); // cpu_set_t: 1024 bits
                if (cpu < 0) {
                    mask.fill((byte) 0xff); // the kernel keeps the CPUs that exist
                } else {
                    mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
                }
                return (int) setAffinity.invokeExact(0, 128L, mask); // 0 = the calling (decode) thread
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        if (rc != 0) {
            throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed");
        }
    }
}

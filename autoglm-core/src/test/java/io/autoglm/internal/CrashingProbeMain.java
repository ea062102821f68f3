package io.autoglm.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;

/**
 * Stands in for {@link ProbeMain} in {@link IsolationProbesTest}: reports that it started, writes a ggml-style
 * assertion line to stderr and calls the C library's {@code abort()}, as llama.cpp does on a failed
 * {@code GGML_ASSERT}.
 */
public final class CrashingProbeMain {
    static final String LINE = "ggml-cpu.c:5557: GGML_ASSERT(src1->type == GGML_TYPE_F32) failed (simulated by the test)";

    private CrashingProbeMain() {
    }

    /** @param args ignored @throws Throwable never: the process ends in abort() */
    public static void main(String[] args) throws Throwable {
        System.out.println(ProbeMain.PREFIX + ProbeMain.STARTED);
        System.out.flush();
        System.err.println(LINE);
        System.err.flush();
        Linker linker = Linker.nativeLinker();
        linker.downcallHandle(linker.defaultLookup().find("abort").orElseThrow(), FunctionDescriptor.ofVoid()).invokeExact();
    }
}

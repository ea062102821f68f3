package io.autoglm.bench;

import io.autoglm.gguf.GgmlType;
import io.autoglm.internal.BundledLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * ggml's row quantizers and dequantizers from the bundled llama.cpp b4916 library, for side-by-side benchmarks.
 * {@code llama_backend_init()} runs once on first use.
 */
final class NativeGgmlQuants {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = SymbolLookup.libraryLookup(BundledLibrary.path(), Arena.global());
    private static final FunctionDescriptor ROW = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG);

    static {
        try {
            find("llama_backend_init", FunctionDescriptor.ofVoid()).invokeExact();
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private NativeGgmlQuants() {
    }

    private static MethodHandle find(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name)), fd);
    }

    /** @return {@code void f(const float* src, void* dst, int64_t n)} quantizing to {@code t} */
    static MethodHandle quantizer(GgmlType t) {
        return switch (t) {
            case F16 -> find("ggml_fp32_to_fp16_row", ROW);
            case BF16 -> find("ggml_fp32_to_bf16_row_ref", ROW);
            default -> find("quantize_row_" + ggmlName(t) + "_ref", ROW);
        };
    }

    /** @return {@code void f(const void* src, float* dst, int64_t n)} dequantizing {@code t} */
    static MethodHandle dequantizer(GgmlType t) {
        return switch (t) {
            case F16 -> find("ggml_fp16_to_fp32_row", ROW);
            case BF16 -> find("ggml_bf16_to_fp32_row", ROW);
            default -> find("dequantize_row_" + ggmlName(t), ROW);
        };
    }

    private static String ggmlName(GgmlType t) {
        return t.name().toLowerCase(Locale.ROOT).replace("_k", "_K");
    }
}

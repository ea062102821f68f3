package io.autoglm.quant;

import io.autoglm.gguf.GgmlType;
import io.autoglm.internal.BundledLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * Test oracle: ggml's own reference quantizers and dequantizers in the bundled llama.cpp b4916 library,
 * called through FFM. {@code llama_backend_init()} runs once first (it fills ggml's fp16 table).
 */
final class NativeQuants {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = SymbolLookup.libraryLookup(BundledLibrary.path(), Arena.global());
    private static final FunctionDescriptor ROW = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG);
    private static final Map<GgmlType, MethodHandle> QUANT = new EnumMap<>(GgmlType.class);
    private static final Map<GgmlType, MethodHandle> DEQUANT = new EnumMap<>(GgmlType.class);
    private static final MethodHandle QUANTIZE_CHUNK = handle("ggml_quantize_chunk", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle VALIDATE = handle("ggml_validate_row_data", FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    static {
        try {
            handle("llama_backend_init", FunctionDescriptor.ofVoid()).invokeExact();
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            String name = t.name().toLowerCase().replace("_k", "_K");
            QUANT.put(t, handle("quantize_row_" + name + "_ref", ROW));
            DEQUANT.put(t, handle("dequantize_row_" + name, ROW));
        }
        DEQUANT.put(GgmlType.F16, handle("ggml_fp16_to_fp32_row", ROW));
        DEQUANT.put(GgmlType.BF16, handle("ggml_bf16_to_fp32_row", ROW));
    }

    private NativeQuants() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        MemorySegment sym = LIB.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not in "
                + BundledLibrary.path()));
        return LINKER.downcallHandle(sym, fd);
    }

    /** @return ggml's bytes for {@code x[0, n)}: {@code quantize_row_<t>_ref}, or {@code ggml_quantize_chunk} for float types */
    static byte[] quantize(GgmlType t, float[] x, int n) {
        int bytes = (int) t.rowSize(n);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate((long) n * 4, 64);
            MemorySegment.copy(x, 0, src, ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment dst = a.allocate(bytes, 64);
            MethodHandle q = QUANT.get(t);
            if (q != null) {
                q.invokeExact(src, dst, (long) n);
            } else {
                long written = (long) QUANTIZE_CHUNK.invokeExact(t.id(), src, dst, 0L, 1L, (long) n, MemorySegment.NULL);
                if (written != bytes) {
                    throw new IllegalStateException("ggml_quantize_chunk wrote " + written + " bytes, expected " + bytes);
                }
            }
            return dst.toArray(ValueLayout.JAVA_BYTE);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return ggml's {@code dequantize_row_<t>} (or fp16/bf16 row conversion) of {@code n} elements */
    static float[] dequantize(GgmlType t, byte[] q, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(q.length, 64);
            MemorySegment.copy(q, 0, src, ValueLayout.JAVA_BYTE, 0, q.length);
            MemorySegment dst = a.allocate((long) n * 4, 64);
            if (t == GgmlType.F32) {
                MemorySegment.copy(src, 0, dst, 0, (long) n * 4);
            } else {
                DEQUANT.get(t).invokeExact(src, dst, (long) n);
            }
            return dst.toArray(ValueLayout.JAVA_FLOAT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return ggml_validate_row_data's verdict on a quantized row */
    static boolean validate(GgmlType t, byte[] q) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(q.length, 64);
            MemorySegment.copy(q, 0, src, ValueLayout.JAVA_BYTE, 0, q.length);
            return (boolean) VALIDATE.invokeExact(t.id(), src, (long) q.length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}

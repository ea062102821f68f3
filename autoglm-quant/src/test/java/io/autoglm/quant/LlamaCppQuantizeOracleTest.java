package io.autoglm.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole-file oracle: for each preset, a synthetic model is quantized by llama.cpp's own
 * {@code llama_model_quantize} (the current library named by {@code AUTOGLM_TEST_LLAMA_CURRENT},
 * which exports it; b4916's libjllama does not) and by {@link ModelQuantizer}; every tensor must
 * have the same type and the same bytes.
 */
class LlamaCppQuantizeOracleTest {
    /** {@code struct llama_model_quantize_params}, 64 bytes (reference/llama-current-abi.md). */
    private static final StructLayout PARAMS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("nthread"),
            ValueLayout.JAVA_INT.withName("ftype"),
            ValueLayout.JAVA_INT.withName("output_tensor_type"),
            ValueLayout.JAVA_INT.withName("token_embedding_type"),
            MemoryLayout.sequenceLayout(6, ValueLayout.JAVA_BOOLEAN).withName("flags"),
            MemoryLayout.paddingLayout(2),
            ValueLayout.ADDRESS.withName("imatrix"),
            ValueLayout.ADDRESS.withName("kv_overrides"),
            ValueLayout.ADDRESS.withName("tt_overrides"),
            ValueLayout.ADDRESS.withName("prune_layers"),
            ValueLayout.JAVA_LONG.withName("max_buf_size"));

    @TempDir
    static Path dir;
    static Path synthetic;
    static MethodHandle defaultParams;
    static MethodHandle quantize;

    @BeforeAll
    static void setUp() throws IOException {
        Path lib = CurrentLlama.libllama();
        // loads the library through the FFM backend: log callback, llama_backend_init, CPU backend
        assertThat(AutoGLM.describeNativeLibrary(lib)).contains("current ABI");
        SymbolLookup l = SymbolLookup.libraryLookup(lib, Arena.global());
        Linker linker = Linker.nativeLinker();
        defaultParams = linker.downcallHandle(l.find("llama_model_quantize_default_params").orElseThrow(),
                FunctionDescriptor.of(PARAMS));
        quantize = linker.downcallHandle(l.find("llama_model_quantize").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        // rows of 256 so every K-quant applies; 8 layers so the _M/_S mixes differ per layer; tied embeddings
        // (token_embd doubles as the output: the output-tensor rule applies to it) halve the run time
        synthetic = SyntheticModels.llama(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(256).layers(8).heads(8)
                .headsKv(2).ff(512).context(256).type(GgmlType.F16).tiedEmbeddings(true).seed(5)
                .write(dir.resolve("synthetic.gguf"));
    }

    static List<Quantization> presets() {
        return List.of(Quantization.values()).stream().filter(q -> q != Quantization.NONE && q != Quantization.AUTO).toList();
    }

    private static void llamaQuantize(Path in, Path out, Quantization q) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = (MemorySegment) defaultParams.invokeExact((SegmentAllocator) a);
            assertThat(p.get(ValueLayout.JAVA_INT, 4)).as("default ftype Q8_0").isEqualTo(7);
            p.set(ValueLayout.JAVA_INT, 0, 2);
            p.set(ValueLayout.JAVA_INT, 4, q.fileType());
            int rc = (int) quantize.invokeExact(a.allocateFrom(in.toString()), a.allocateFrom(out.toString()), p);
            assertThat(rc).as("llama_model_quantize(%s) return code", q).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyTensor_hasLlamaCppsTypeAndBytes(Quantization q) throws Throwable {
        Path mine = dir.resolve("java-" + q + ".gguf");
        Path theirs = dir.resolve("llama-" + q + ".gguf");
        ModelQuantizer.builder().input(synthetic).output(mine).preset(q).threads(2).build().quantize();
        llamaQuantize(synthetic, theirs, q);
        List<String> diffs = new ArrayList<>();
        try (GgufFile a = GgufFile.open(mine); GgufFile b = GgufFile.open(theirs)) {
            TreeSet<String> names = new TreeSet<>();
            a.tensors().forEach(t -> names.add(t.name()));
            b.tensors().forEach(t -> names.add(t.name()));
            for (String n : names) {
                TensorInfo x = a.tensor(n).orElse(null);
                TensorInfo y = b.tensor(n).orElse(null);
                if (x == null || y == null) {
                    diffs.add(n + ": only in " + (x == null ? "llama.cpp" : "java"));
                } else if (x.type() != y.type()) {
                    diffs.add(n + ": java " + x.type() + ", llama.cpp " + y.type());
                } else {
                    MemorySegment dx = a.tensorData(x);
                    MemorySegment dy = b.tensorData(y);
                    long at = dx.mismatch(dy);
                    if (at >= 0) {
                        diffs.add(n + " (" + x.type() + "): bytes differ from offset " + at + " of " + dx.byteSize());
                    }
                }
            }
            assertThat(a.fileType()).as("general.file_type").isEqualTo(b.fileType());
        }
        assertThat(diffs).as("%s: tensors where ModelQuantizer and llama_model_quantize differ", q).isEmpty();
    }
}

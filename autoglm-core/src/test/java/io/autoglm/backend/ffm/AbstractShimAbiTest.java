package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.backend.ModelSpec;
import io.autoglm.Backend;
import io.autoglm.testing.fixtures.Gcc;
import io.autoglm.testing.fixtures.ShimLlama;
import io.autoglm.testing.fixtures.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A llama.cpp build served through the AutoGLM shim, checked from below the engine: the probe picks
 * the shim, the llama.h it was compiled against has the library's struct sizes, the settings we pass
 * reach the context, and its greedy tokens equal those of the bundled b4916 and of a C loop linked
 * against the same library ({@code native/shim/greedy_loop_shim.c}, built here with gcc), for one
 * sequence and for four decoded together by the engine. Subclasses name the build.
 */
abstract class AbstractShimAbiTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "Lily and Tom went to the park.", "The little dog",
            "One day, a girl named");

    @TempDir
    Path tmp;

    /** @return the folder holding libllama and libautoglm_shim */
    abstract Path folder();

    LlamaLibrary library() {
        return FfmBackend.library(folder());
    }

    FfmModel load(Path model, Path library, int threads) {
        ModelSpec s = ModelSpec.builder(model).backend(Backend.FFM).threads(threads).contextSize(512).nativeLibrary(library)
                .parallel(1).prefixCache(false).maxQueuedRequests(16).embeddings(false).build();
        return (FfmModel) new FfmBackend().load(s);
    }

    @Test
    void probe_picksTheShim_andDescribesTheReleaseAndTheSeam() {
        LlamaLibrary lib = library();
        assertThat(lib.abi).isInstanceOf(AbiShim.class);
        AbiShim shim = (AbiShim) lib.abi;
        assertThat(shim.shimPath()).isEqualTo(folder().resolve("libautoglm_shim.so"));
        assertThat(lib.abi.version()).isNotBlank().isNotEqualTo("unknown release");
        assertThat(lib.describe()).startsWith(lib.path + " (llama.cpp " + lib.abi.version() + "; seam: shim " + shim.shimPath() + ")");
        // what a release of 2026 has: llama_memory_*, load_mode, flash_attn_type, kv_unified
        assertThat(shim.features()).contains("memory=llama_memory_*").contains("load=load_mode")
                .contains("flash_attn=flash_attn_type").contains("kv_unified");
        // the layout handles are not bound: the shim fills llama.cpp's params itself
        assertThat(lib.modelDefaultParams).isNull();
        assertThat(lib.decode).isNull();
    }

    @Test
    void shimHeader_hasTheLibrarysStructSizes() throws Throwable {
        LlamaLibrary lib = library();
        io.autoglm.testing.fixtures.Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (canary)");
        SymbolLookup s = SymbolLookup.libraryLookup(((AbiShim) lib.abi).shimPath(), Arena.global());
        MethodHandle size = Linker.nativeLinker().downcallHandle(s.find("autoglm_shim_header_size").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        assertThat((long) (int) size.invokeExact(0)).isEqualTo(lib.abi.measuredModelParamsSize()).isPositive();
        assertThat((long) (int) size.invokeExact(1)).isEqualTo(lib.abi.measuredContextParamsSize()).isPositive();
        assertThat((int) size.invokeExact(2)).isEqualTo((int) Structs.Batch.LAYOUT.byteSize());
        assertThat((int) size.invokeExact(7)).isEqualTo(-1);
    }

    @Test
    void contextSettings_reachTheContext() throws Throwable {
        LlamaLibrary lib = library();
        Linker linker = Linker.nativeLinker();
        SymbolLookup l = SymbolLookup.libraryLookup(lib.path, Arena.global());
        FunctionDescriptor getter = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        MethodHandle nUbatch = linker.downcallHandle(l.find("llama_n_ubatch").orElseThrow(), getter);
        MethodHandle nSeqMax = linker.downcallHandle(l.find("llama_n_seq_max").orElseThrow(), getter);
        MethodHandle nThreads = linker.downcallHandle(l.find("llama_n_threads").orElseThrow(), getter);
        MethodHandle nThreadsBatch = linker.downcallHandle(l.find("llama_n_threads_batch").orElseThrow(), getter);
        ModelSpec spec = ModelSpec.builder(TestModels.stories260K()).backend(Backend.FFM).threads(2).contextSize(128)
                .nativeLibrary(folder()).parallel(3).prefixCache(false).batchSize(96).ubatchSize(32).maxQueuedRequests(16)
                .embeddings(false).build();
        try (FfmModel m = (FfmModel) new FfmBackend().load(spec)) {
            MemorySegment ctx = m.contextPointer();
            assertThat((int) lib.nCtx.invokeExact(ctx)).isGreaterThanOrEqualTo(m.decoder().kvCells()).isGreaterThanOrEqualTo(3 * 128);
            assertThat((int) lib.nBatch.invokeExact(ctx)).isEqualTo(96);
            assertThat((int) nUbatch.invokeExact(ctx)).isEqualTo(32);
            assertThat((int) nSeqMax.invokeExact(ctx)).isEqualTo(m.decoder().sequenceIds()).isGreaterThanOrEqualTo(3);
            assertThat((int) nThreads.invokeExact(ctx)).isEqualTo(2);
            assertThat((int) nThreadsBatch.invokeExact(ctx)).isEqualTo(2);
            assertThat(m.hasThreadpool()).isTrue();
        }
        try (FfmModel one = load(TestModels.stories260K(), folder(), 1)) {
            assertThat(one.hasThreadpool()).isFalse();
        }
    }

    @Test
    void greedyTokens_equalB4916s_onBothModels_atOneAndTwoThreads() {
        for (Path model : List.of(TestModels.stories260K(), TestModels.tinyRandom())) {
            for (int threads : new int[] {1, 2}) {
                try (FfmModel b4916 = load(model, null, threads); FfmModel shim = load(model, folder(), threads)) {
                    assertThat(shim.abiGeneration()).isEqualTo(AbiShim.NAME);
                    for (String prompt : PROMPTS.subList(0, 2)) {
                        int[] p = b4916.tokenize(prompt, true, true);
                        assertThat(shim.tokenize(prompt, true, true)).containsExactly(p);
                        int[] a = FfmTestSupport.generate(b4916, p, SamplingParams.greedy(), 48, true, null).ids();
                        assertThat(FfmTestSupport.generate(shim, p, SamplingParams.greedy(), 48, true, null).ids())
                                .as("%s '%s' at %d threads", model.getFileName(), prompt, threads).hasSize(48).containsExactly(a);
                    }
                }
            }
        }
    }

    @Test
    void penalties_goThroughTheShim_andChangeTheText() {
        try (FfmModel shim = load(TestModels.stories260K(), folder(), 2); FfmModel b4916 = load(TestModels.stories260K(), null, 2)) {
            int[] p = shim.tokenize("Once upon a time", true, true);
            SamplingParams pen = SamplingParams.builder().temperature(0.01f).topK(1).repeatPenalty(1.8f).repeatLastN(64)
                    .seed(7).build();
            int[] plain = FfmTestSupport.generate(shim, p, SamplingParams.greedy(), 48, true, null).ids();
            int[] penalised = FfmTestSupport.generate(shim, p, pen, 48, true, null).ids();
            assertThat(penalised).isNotEqualTo(plain); // an inert penalties sampler would change nothing
            assertThat(penalised).containsExactly(FfmTestSupport.generate(b4916, p, pen, 48, true, null).ids());
        }
    }

    /** Builds native/shim/greedy_loop_shim.c against this folder's libllama and shim. */
    Path cLoop() {
        Path exe = tmp.resolve("greedy_loop_shim");
        Path root = TestModels.projectRoot();
        Path dir = folder();
        Gcc.compile(List.of("-O2", "-Wall", "-DSHIM_DIR=\"" + dir + "\"", "-o", exe.toString(),
                root.resolve("native/shim/greedy_loop_shim.c").toString(), dir.resolve("libautoglm_shim.so").toString(),
                ShimLlama.libllama(dir).toString(), "-Wl,-rpath," + dir), "native/shim/greedy_loop_shim.c");
        return exe;
    }

    static int[] runC(Path exe, Path model, int threads, int tokens, String prompt) throws Exception {
        Process p = new ProcessBuilder(exe.toString(), model.toString(), String.valueOf(threads), String.valueOf(tokens), "1", prompt)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String ids = out.lines().filter(l -> l.startsWith("ids=")).findFirst().orElseThrow().substring(4);
        return Arrays.stream(ids.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void greedy_equalsTheCLoopOnTheSameLibrary_aloneAndFourDecodedTogether() throws Exception {
        Path exe = cLoop();
        Path model = TestModels.stories260K();
        List<int[]> c = new ArrayList<>();
        for (String prompt : PROMPTS) {
            c.add(runC(exe, model, 2, 64, prompt));
        }
        try (LanguageModel m = AutoGLM.builder().model(model).nativeLibrary(folder()).threads(2).contextSize(256).parallel(4)
                .embeddings(false).build()) {
            assertThat(m.info().nativeLibrary()).contains("seam: shim");
            for (int i = 0; i < PROMPTS.size(); i++) {
                Completion alone = m.complete(CompletionRequest.builder().prompt(PROMPTS.get(i)).maxTokens(64).ignoreEos(true).build());
                assertThat(alone.tokens()).as("alone: '%s'", PROMPTS.get(i)).containsExactly(c.get(i));
            }
            List<CompletableFuture<Completion>> together = new ArrayList<>();
            for (String prompt : PROMPTS) {
                together.add(CompletableFuture.supplyAsync(() -> m.complete(CompletionRequest.builder().prompt(prompt)
                        .maxTokens(64).ignoreEos(true).build())));
            }
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertThat(together.get(i).get(120, TimeUnit.SECONDS).tokens()).as("batched: '%s'", PROMPTS.get(i))
                        .containsExactly(c.get(i));
            }
            assertThat(m.stats().toString()).isNotEmpty();
        }
    }
}

package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.Backend;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.ModelSpec;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The current llama.cpp ABI generation ({@link AbiCurrent}) against the real library named by
 * {@code AUTOGLM_TEST_LLAMA_CURRENT}, loaded in the same JVM as the bundled b4916.
 */
class CurrentAbiTest {
    private static long offset(StructLayout l, String field) {
        return l.byteOffset(PathElement.groupElement(field));
    }

    private static LlamaLibrary current() {
        return FfmBackend.library(CurrentLlama.folder());
    }

    @Test
    void layouts_haveTheSizesAndOffsetsOfTheReference() {
        assertThat(AbiCurrent.ModelParams.LAYOUT.byteSize()).isEqualTo(80);
        assertThat(AbiCurrent.ContextParams.LAYOUT.byteSize()).isEqualTo(160);
        assertThat(AbiCurrent.PerfContextData.LAYOUT.byteSize()).isEqualTo(48);
        assertThat(AbiCurrent.ThreadpoolParams.LAYOUT.byteSize()).isEqualTo(528);
        StructLayout m = AbiCurrent.ModelParams.LAYOUT;
        assertThat(offset(m, "n_gpu_layers")).isEqualTo(16);
        assertThat(offset(m, "load_mode")).isEqualTo(24);
        assertThat(offset(m, "lazy_mode")).isEqualTo(28);
        assertThat(offset(m, "progress_callback")).isEqualTo(48);
        assertThat(offset(m, "vocab_only")).isEqualTo(72);
        assertThat(offset(m, "load_mtp")).isEqualTo(77);
        StructLayout c = AbiCurrent.ContextParams.LAYOUT;
        assertThat(offset(c, "n_threads")).isEqualTo(28);
        assertThat(offset(c, "pooling_type")).isEqualTo(44);
        assertThat(offset(c, "flash_attn_type")).isEqualTo(52);
        assertThat(offset(c, "cb_eval")).isEqualTo(88);
        assertThat(offset(c, "type_k")).isEqualTo(104);
        assertThat(offset(c, "abort_callback")).isEqualTo(112);
        assertThat(offset(c, "embeddings")).isEqualTo(128);
        assertThat(offset(c, "no_perf")).isEqualTo(130);
        assertThat(offset(c, "samplers")).isEqualTo(136);
        assertThat(offset(c, "ctx_other")).isEqualTo(152);
        assertThat(offset(AbiCurrent.PerfContextData.LAYOUT, "n_reused")).isEqualTo(40);
        assertThat(offset(AbiCurrent.ThreadpoolParams.LAYOUT, "n_threads")).isEqualTo(512);
    }

    @Test
    void probe_picksTheCurrentGeneration_andTheCanaryMatchesTheLayouts() {
        LlamaLibrary lib = current();
        assertThat(lib.abi).isInstanceOf(AbiCurrent.class);
        assertThat(lib.abi.generation()).isEqualTo("current");
        assertThat(lib.abi.version()).isEqualTo("0.5.0-dev");
        assertThat(lib.describe()).contains("libllama.v0.5.0.so").contains("current ABI, version 0.5.0-dev");
        assertThat(((AbiCurrent) lib.abi).backendFolder()).isEqualTo(CurrentLlama.folder().toString());
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (canary measurement)");
        assertThat(lib.abi.measuredModelParamsSize()).isEqualTo(80);
        assertThat(lib.abi.measuredContextParamsSize()).isEqualTo(160);
        // the bundled library in the same JVM is still b4916
        assertThat(FfmBackend.library(null).abi.generation()).isEqualTo("b4916");
    }

    @Test
    void defaultParams_decodeToTheMeasuredDefaults() throws Throwable {
        LlamaLibrary lib = current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) a);
            assertThat((int) AbiCurrent.ModelParams.COMMON.nGpuLayers().get(m, 0L)).isEqualTo(-1);
            assertThat((int) AbiCurrent.ModelParams.LOAD_MODE.get(m, 0L)).isEqualTo(-1);
            assertThat((int) AbiCurrent.ModelParams.LAZY_MODE.get(m, 0L)).isEqualTo(1);
            assertThat(m.get(JAVA_INT, 20)).as("split_mode LAYER").isEqualTo(1);
            assertThat(m.get(JAVA_BOOLEAN, 74)).as("use_extra_bufts").isTrue();
            assertThat((boolean) AbiCurrent.ModelParams.COMMON.vocabOnly().get(m, 0L)).isFalse();
            MemorySegment c = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) a);
            assertThat((int) AbiCurrent.ContextParams.COMMON.nCtx().get(c, 0L)).isEqualTo(512);
            assertThat((int) AbiCurrent.ContextParams.COMMON.nBatch().get(c, 0L)).isEqualTo(2048);
            assertThat((int) AbiCurrent.ContextParams.N_OUTPUTS_MAX_PER_SEQ.get(c, 0L)).isEqualTo(1);
            assertThat((int) AbiCurrent.ContextParams.COMMON.nThreads().get(c, 0L)).isEqualTo(4);
            assertThat((int) AbiCurrent.ContextParams.FLASH_ATTN_TYPE.get(c, 0L)).isEqualTo(-1);
            assertThat(c.get(JAVA_FLOAT, 72)).as("yarn_beta_fast").isEqualTo(-1.0f);
            assertThat(c.get(JAVA_INT, 104)).as("type_k F16").isEqualTo(1);
            assertThat(c.get(JAVA_BOOLEAN, 129)).as("offload_kqv").isTrue();
            assertThat((boolean) AbiCurrent.ContextParams.COMMON.noPerf().get(c, 0L)).isTrue();
        }
    }

    @Test
    void threadpool_isCreatedForTwoThreads_andNotForOne() {
        LlamaLibrary lib = current();
        assertThat(lib.abi.createThreadpool(1)).isEqualTo(MemorySegment.NULL);
        MemorySegment tp = lib.abi.createThreadpool(2);
        assertThat(tp).isNotEqualTo(MemorySegment.NULL);
        lib.abi.freeThreadpool(tp);
    }

    private static FfmModel load(Path library, int threads) {
        return load(TestModels.stories260K(), library, threads);
    }

    private static FfmModel load(Path model, Path library, int threads) {
        ModelSpec s = ModelSpec.builder(model).backend(Backend.FFM).threads(threads).contextSize(512).nativeLibrary(library)
                .parallel(1).prefixCache(false).maxQueuedRequests(16).embeddings(false).build();
        return (FfmModel) new FfmBackend().load(s);
    }

    @Test
    void twoThreads_attachAPersistentThreadpool_oneThreadAndB4916DoNot() {
        try (FfmModel two = load(CurrentLlama.folder(), 2); FfmModel one = load(CurrentLlama.folder(), 1);
                FfmModel old = load(null, 2)) {
            assertThat(two.hasThreadpool()).isTrue();
            assertThat(one.hasThreadpool()).isFalse();
            assertThat(old.hasThreadpool()).isFalse();
        }
    }

    @Test
    void greedyTokens_equalB4916s_onTinyRandom() {
        try (FfmModel b4916 = load(TestModels.tinyRandom(), null, 2);
                FfmModel cur = load(TestModels.tinyRandom(), CurrentLlama.folder(), 2)) {
            for (String prompt : List.of("Once upon a time", "The little dog")) {
                int[] p = b4916.tokenize(prompt, true, true);
                assertThat(cur.tokenize(prompt, true, true)).containsExactly(p);
                int[] a = FfmTestSupport.generate(b4916, p, SamplingParams.greedy(), 48, true, null).ids();
                assertThat(FfmTestSupport.generate(cur, p, SamplingParams.greedy(), 48, true, null).ids())
                        .as("'%s'", prompt).hasSize(48).containsExactly(a);
            }
        }
    }

    @Test
    void greedyTokens_equalB4916s_onStories260K_atOneAndTwoThreads() {
        List<String> prompts = List.of("Once upon a time", "Lily and Tom went to the park.", "The little dog",
                "One day, a girl named", "Tim had a big red ball");
        for (int threads : new int[] {1, 2}) {
            try (FfmModel b4916 = load(null, threads); FfmModel cur = load(CurrentLlama.folder(), threads)) {
                assertThat(cur.abiGeneration()).isEqualTo("current");
                assertThat(b4916.abiGeneration()).isEqualTo("b4916");
                for (String prompt : prompts) {
                    int[] p = b4916.tokenize(prompt, true, true);
                    assertThat(cur.tokenize(prompt, true, true)).containsExactly(p);
                    FfmTestSupport.Run a = FfmTestSupport.generate(b4916, p, SamplingParams.greedy(), 64, true, null);
                    FfmTestSupport.Run b = FfmTestSupport.generate(cur, p, SamplingParams.greedy(), 64, true, null);
                    assertThat(b.ids()).as("'%s' at %d threads", prompt, threads).hasSize(64).containsExactly(a.ids());
                }
            }
        }
    }

    @Test
    void penalties_useTheNewSignature_andChangeTheText() {
        try (FfmModel cur = load(CurrentLlama.folder(), 2); FfmModel b4916 = load(null, 2)) {
            int[] p = cur.tokenize("Once upon a time", true, true);
            SamplingParams pen = SamplingParams.builder().temperature(0.01f).topK(1).repeatPenalty(1.8f).repeatLastN(64)
                    .seed(7).build();
            int[] plain = FfmTestSupport.generate(cur, p, SamplingParams.greedy(), 48, true, null).ids();
            int[] penalised = FfmTestSupport.generate(cur, p, pen, 48, true, null).ids();
            assertThat(penalised).isNotEqualTo(plain); // an inert "?penalties" sampler would change nothing
            // top-k 1 after the same penalty: both generations pick the same tokens
            assertThat(penalised).containsExactly(FfmTestSupport.generate(b4916, p, pen, 48, true, null).ids());
        }
    }

    @Test
    void systemProperty_selectsTheLibrary_whenTheSpecNamesNone() {
        Path folder = CurrentLlama.folder();
        String old = System.getProperty(FfmBackend.LIBRARY_PROPERTY);
        System.setProperty(FfmBackend.LIBRARY_PROPERTY, folder.toString());
        try {
            assertThat(FfmBackend.configuredLibrary(null)).isEqualTo(folder);
            assertThat(FfmBackend.library(null).abi.generation()).isEqualTo("current");
            assertThat(FfmBackend.configuredLibrary(Path.of("/x"))).isEqualTo(Path.of("/x"));
        } finally {
            if (old == null) {
                System.clearProperty(FfmBackend.LIBRARY_PROPERTY);
            } else {
                System.setProperty(FfmBackend.LIBRARY_PROPERTY, old);
            }
        }
        if (System.getenv(FfmBackend.LIBRARY_ENV) == null) {
            assertThat(FfmBackend.library(null).abi.generation()).isEqualTo("b4916");
        }
    }
}

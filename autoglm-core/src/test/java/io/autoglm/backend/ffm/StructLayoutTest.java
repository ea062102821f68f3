package io.autoglm.backend.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.ModelLoadException;
import io.autoglm.internal.BundledLibrary;
import io.autoglm.testing.fixtures.Fixtures;
import io.autoglm.testing.fixtures.NativeLibs;
import io.autoglm.testing.fixtures.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The hand-written layouts against the real b4916 library. */
class StructLayoutTest {
    private static long offset(StructLayout l, String field) {
        return l.byteOffset(PathElement.groupElement(field));
    }

    @Test
    void layouts_haveTheSizesMeasuredOnTheBinary() {
        assertThat(AbiB4916.ModelParams.LAYOUT.byteSize()).isEqualTo(64);
        assertThat(AbiB4916.ContextParams.LAYOUT.byteSize()).isEqualTo(120);
        assertThat(AbiB4916.PerfContextData.LAYOUT.byteSize()).isEqualTo(40);
        assertThat(Structs.Batch.LAYOUT.byteSize()).isEqualTo(56);
        assertThat(Structs.SamplerChainParams.LAYOUT.byteSize()).isEqualTo(1);
        assertThat(Structs.TokenData.LAYOUT.byteSize()).isEqualTo(12);
        assertThat(Structs.TokenDataArray.LAYOUT.byteSize()).isEqualTo(32);
        assertThat(Structs.ChatMessage.LAYOUT.byteSize()).isEqualTo(16);
    }

    @Test
    void layouts_putFieldsAtTheDocumentedOffsets() {
        StructLayout m = AbiB4916.ModelParams.LAYOUT;
        assertThat(offset(m, "n_gpu_layers")).isEqualTo(8);
        assertThat(offset(m, "progress_callback")).isEqualTo(32);
        assertThat(offset(m, "kv_overrides")).isEqualTo(48);
        assertThat(offset(m, "vocab_only")).isEqualTo(56);
        assertThat(offset(m, "check_tensors")).isEqualTo(59);
        StructLayout c = AbiB4916.ContextParams.LAYOUT;
        assertThat(offset(c, "pooling_type")).isEqualTo(28);
        assertThat(offset(c, "defrag_thold")).isEqualTo(64);
        assertThat(offset(c, "cb_eval")).isEqualTo(72);
        assertThat(offset(c, "type_k")).isEqualTo(88);
        assertThat(offset(c, "embeddings")).isEqualTo(97);
        assertThat(offset(c, "no_perf")).isEqualTo(100);
        assertThat(offset(c, "abort_callback")).isEqualTo(104);
        assertThat(offset(Structs.Batch.LAYOUT, "logits")).isEqualTo(48);
        assertThat(offset(Structs.TokenDataArray.LAYOUT, "sorted")).isEqualTo(24);
    }

    @Test
    void defaultParams_writeExactlyTheLayoutSize_measuredWithCanaries() {
        Fixtures.platform(Abi.isSysVx86_64(), "the x86-64 SysV calling convention (canary measurement)");
        LlamaLibrary lib = FfmBackend.library(null);
        assertThat(lib.abi.generation()).isEqualTo("b4916");
        assertThat(lib.abi.measuredModelParamsSize()).isEqualTo(((LayoutAbi) lib.abi).modelParamsLayout().byteSize());
        assertThat(lib.abi.measuredContextParamsSize()).isEqualTo(((LayoutAbi) lib.abi).contextParamsLayout().byteSize());
    }

    @Test
    void defaultParams_decodeToLlamaCppsDefaults() throws Throwable {
        LlamaLibrary lib = FfmBackend.library(null);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = (MemorySegment) lib.modelDefaultParams.invokeExact((SegmentAllocator) a);
            assertThat((boolean) AbiB4916.ModelParams.USE_MMAP.get(m, 0L)).isTrue();
            assertThat((boolean) AbiB4916.ModelParams.COMMON.vocabOnly().get(m, 0L)).isFalse();
            assertThat((int) AbiB4916.ModelParams.COMMON.nGpuLayers().get(m, 0L)).isZero();
            assertThat(m.get(JAVA_INT, 12)).as("split_mode LAYER").isEqualTo(1);
            MemorySegment c = (MemorySegment) lib.contextDefaultParams.invokeExact((SegmentAllocator) a);
            assertThat((int) AbiB4916.ContextParams.COMMON.nCtx().get(c, 0L)).isEqualTo(512);
            assertThat((int) AbiB4916.ContextParams.COMMON.nBatch().get(c, 0L)).isEqualTo(2048);
            assertThat((int) AbiB4916.ContextParams.COMMON.nUbatch().get(c, 0L)).isEqualTo(512);
            assertThat((int) AbiB4916.ContextParams.COMMON.nSeqMax().get(c, 0L)).isEqualTo(1);
            assertThat((int) AbiB4916.ContextParams.COMMON.poolingType().get(c, 0L)).isEqualTo(-1);
            assertThat(c.get(java.lang.foreign.ValueLayout.JAVA_FLOAT, 52)).as("yarn_beta_fast").isEqualTo(32.0f);
            assertThat(c.get(JAVA_INT, 88)).as("type_k F16").isEqualTo(1);
            assertThat((boolean) AbiB4916.ContextParams.COMMON.embeddings().get(c, 0L)).isFalse();
            assertThat(c.get(java.lang.foreign.ValueLayout.JAVA_BOOLEAN, 98)).as("offload_kqv").isTrue();
            assertThat((boolean) AbiB4916.ContextParams.COMMON.noPerf().get(c, 0L)).isTrue();
        }
    }

    @Test
    void batchInit_fillsTheFiftySixByteStructAsDeclared() throws Throwable {
        LlamaLibrary lib = FfmBackend.library(null);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = (MemorySegment) lib.batchInit.invokeExact((SegmentAllocator) a, 8, 0, 1);
            assertThat(b.byteSize()).isEqualTo(56);
            assertThat(Structs.Batch.nTokens(b)).isZero();
            assertThat(Structs.Batch.token(b)).isNotEqualTo(MemorySegment.NULL);
            assertThat((MemorySegment) Structs.Batch.EMBD.get(b, 0L)).isEqualTo(MemorySegment.NULL);
            assertThat(Structs.Batch.pos(b)).isNotEqualTo(MemorySegment.NULL);
            assertThat(Structs.Batch.logits(b)).isNotEqualTo(MemorySegment.NULL);
            MemorySegment seq = Structs.Batch.seqId(b).reinterpret(9 * ADDRESS.byteSize());
            for (int i = 0; i < 8; i++) {
                assertThat(seq.getAtIndex(ADDRESS, i)).isNotEqualTo(MemorySegment.NULL);
            }
            assertThat(seq.getAtIndex(ADDRESS, 8)).as("seq_id[n_tokens] terminator").isEqualTo(MemorySegment.NULL);
            lib.batchFree.invokeExact(b);
        }
    }

    @Test
    void probe_refusesALibraryWithoutTheLlamaApi_namingWhatIsMissing() {
        Path foreign = NativeLibs.foreignLibrary();
        assertThatThrownBy(() -> LlamaLibrary.open(foreign)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unknown native library").hasMessageContaining("llama_decode")
                .hasMessageContaining("llama_get_memory absent");
    }

    @Test
    void probe_refusesAFileThatIsNoLibrary() {
        Path notALibrary = TestModels.stories260K();
        assertThatThrownBy(() -> LlamaLibrary.open(notALibrary)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cannot load native library");
        assertThatThrownBy(() -> LlamaLibrary.open(Path.of("/no/such/libllama.so"))).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void library_isLoadedOncePerPath() {
        assertThat(LlamaLibrary.open(BundledLibrary.path())).isSameAs(FfmBackend.library(null));
        assertThat(FfmBackend.resolveLibrary(BundledLibrary.path().getParent())).isEqualTo(BundledLibrary.path());
    }
}

package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.gguf.GgufFile;
import io.autoglm.gguf.TensorInfo;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.SyntheticModels;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code qwen3} model (an architecture llama.cpp b4916 lacks), written with the project's GGUF
 * writer: it is read by the Java reader, loads and generates on the current ABI generation, and is
 * refused with a clear message (never a crash) on the bundled b4916.
 */
class NewArchitectureTest {
    @TempDir
    static Path dir;
    static Path qwen3;

    @BeforeAll
    static void writeModel() throws Exception {
        qwen3 = SyntheticModels.qwen3(TestModels.vocab("ggml-vocab-llama-spm.gguf")).embd(128).layers(2).heads(4)
                .headsKv(2).ff(256).seed(3).write(dir.resolve("qwen3-synthetic.gguf"));
    }

    private static AutoGLM.Builder builder() {
        return AutoGLM.builder().model(qwen3).backend(Backend.FFM).threads(2).contextSize(256).embeddings(false);
    }

    @Test
    void javaReader_acceptsTheQwen3File() {
        try (GgufFile f = GgufFile.open(qwen3)) {
            assertThat(f.architecture()).hasValue("qwen3");
            assertThat(f.tensors()).extracting(TensorInfo::name).contains("blk.0.attn_q_norm.weight",
                    "blk.1.attn_k_norm.weight");
            assertThat(f.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q_norm.weight")).findFirst()
                    .orElseThrow().shape()).containsExactly(32);
        }
    }

    @Test
    void qwen3_loadsAndGenerates_onTheCurrentGeneration() {
        try (LanguageModel m = builder().nativeLibrary(CurrentLlama.folder()).build()) {
            assertThat(m.info().architecture()).isEqualTo("qwen3");
            assertThat(m.info().nativeLibrary()).contains("current ABI");
            CompletionRequest r = CompletionRequest.builder().prompt("Once upon a time").maxTokens(16).ignoreEos(true).build();
            Completion a = m.complete(r);
            assertThat(a.tokens()).hasSize(16);
            assertThat(m.complete(r).tokens()).containsExactly(a.tokens());
        }
    }

    @Test
    void qwen3_isRefusedOnB4916_namingTheArchitectureAndTheFix() {
        assertThatThrownBy(() -> builder().build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("qwen3").hasMessageContaining("b4916").hasMessageContaining("nativeLibrary");
        // the JVM is alive and the bundled library still serves a known architecture
        try (LanguageModel m = AutoGLM.builder().model(TestModels.stories260K()).backend(Backend.FFM).threads(1)
                .contextSize(128).embeddings(false).build()) {
            assertThat(m.complete(CompletionRequest.builder().prompt("Hi").maxTokens(2).build()).tokens()).isNotEmpty();
        }
    }
}

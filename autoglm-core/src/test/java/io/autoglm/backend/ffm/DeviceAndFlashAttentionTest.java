package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.autoglm.AutoGLM;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.Device;
import io.autoglm.LanguageModel;
import io.autoglm.ModelLoadException;
import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code device(...)} and {@code flashAttention(...)} on the two llama.cpp generations (both CPU-only builds). */
class DeviceAndFlashAttentionTest {
    private static AutoGLM.Builder stories(Path library) {
        AutoGLM.Builder b = AutoGLM.builder().model(TestModels.stories260K()).contextSize(128).parallel(1).threads(1)
                .embeddings(false);
        return library == null ? b : b.nativeLibrary(library);
    }

    @Test
    void gpuDevice_onTheCpuOnlyBundledLibrary_isRefusedNamingTheBuildToGet() {
        assertThatThrownBy(() -> stories(null).device(Device.CUDA).build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("device cuda is not available")
                .hasMessageContaining("has only [CPU (")
                .hasMessageContaining("-DGGML_CUDA=ON")
                .hasMessageContaining("native/GPU.md");
    }

    @Test
    void gpuDevice_onTheCurrentCpuBuild_isRefusedToo() {
        Path current = CurrentLlama.folder();
        assertThatThrownBy(() -> stories(current).device(Device.VULKAN).build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("device vulkan is not available").hasMessageContaining("-DGGML_VULKAN=ON");
        assertThat(FfmBackend.devices(current)).anySatisfy(d -> assertThat(d).startsWith("CPU"));
    }

    @Test
    void cpuDevice_loadsAndGenerates() {
        try (LanguageModel m = stories(null).device(Device.CPU).build()) {
            assertThat(m.complete(CompletionRequest.builder().prompt("Once upon a time").maxTokens(4).build()).text())
                    .isNotBlank();
        }
    }

    @Test
    void flashAttention_isRefusedOnB4916_andRunsOnTheCurrentLibrary() {
        assertThatThrownBy(() -> stories(null).flashAttention(true).build()).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("flashAttention is offered on the current llama.cpp generation only");
        Path current = CurrentLlama.folder();
        CompletionRequest req = CompletionRequest.builder().prompt("Once upon a time").maxTokens(8).build();
        Completion plain;
        try (LanguageModel m = stories(current).build()) {
            plain = m.complete(req);
        }
        try (LanguageModel m = stories(current).flashAttention(true).build()) {
            Completion fa = m.complete(req);
            assertThat(fa.usage().completionTokens()).isEqualTo(8);
            // same model, same greedy decoding: the first tokens agree (the kernels sum in another order)
            assertThat(fa.text().substring(0, 5)).isEqualTo(plain.text().substring(0, 5));
        }
    }

    @Test
    void deviceParse_namesTheAcceptedValues() {
        assertThat(Device.parse(" Metal ")).isEqualTo(Device.METAL);
        assertThatThrownBy(() -> Device.parse("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown device 'tpu'; expected one of cpu, cuda, metal, vulkan");
    }
}

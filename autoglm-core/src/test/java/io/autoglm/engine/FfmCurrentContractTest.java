package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.CurrentLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The contract suite on the FFM backend driving the current llama.cpp ABI generation (the build
 * named by {@code AUTOGLM_TEST_LLAMA_CURRENT}), loaded in the same JVM as the bundled b4916. The
 * backend's capabilities are those of {@link FfmContractTest}; only the native library differs.
 */
class FfmCurrentContractTest extends FfmContractTest {
    @Override
    Path nativeLibrary() {
        return CurrentLlama.folder();
    }

    @Test
    void info_namesTheCurrentLibraryAndGeneration() {
        assertThat(stories.info().nativeLibrary()).contains(CurrentLlama.libllama().toString())
                .contains("llama.cpp current ABI, version ");
    }
}

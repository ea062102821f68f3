package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The contract suite on a build of llama.cpp's own repository ({@code AUTOGLM_TEST_LLAMA_UPSTREAM}, a
 * folder with its libllama and the AutoGLM shim built against its llama.h). CI cannot fetch that
 * repository, so the suite runs only where the variable is set; docs/native-seam.md records its runs.
 */
class FfmUpstreamContractTest extends FfmContractTest {
    @Override
    Path nativeLibrary() {
        return ShimLlama.upstream();
    }

    @Test
    void info_namesTheShim() {
        assertThat(stories.info().nativeLibrary()).contains("; seam: shim ").contains("libautoglm_shim");
    }
}

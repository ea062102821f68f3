package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The contract suite on node-llama-cpp's prebuilt llama.cpp v0.5.0 served through the AutoGLM shim compiled against
 * its release's llama.h ({@code .ci/setup-shim-current.sh}): the shim path on a real library, in CI.
 */
class FfmShimCurrentContractTest extends FfmContractTest {
    @Override
    Path nativeLibrary() {
        return ShimLlama.current();
    }

    @Test
    void info_namesTheLibraryTheReleaseAndTheShim() {
        assertThat(stories.info().nativeLibrary()).contains(ShimLlama.libllama(ShimLlama.current()).getFileName().toString())
                .contains("(llama.cpp v0.5.0 (node-llama-cpp 3.22.1); seam: shim "
                        + ShimLlama.current().resolve("libautoglm_shim.so") + ")");
    }
}

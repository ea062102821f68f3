package io.autoglm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The contract suite on llama.cpp built from the newest sources a registry serves (llama.rn's copy,
 * {@code .ci/build-llama-rn.sh}), served through the AutoGLM shim compiled against its llama.h: no
 * hand-written layout of that release exists in AutoGLM.
 */
class FfmShimContractTest extends FfmContractTest {
    @Override
    Path nativeLibrary() {
        return ShimLlama.rn();
    }

    @Test
    void info_namesTheLibraryTheReleaseAndTheShim() {
        assertThat(stories.info().nativeLibrary()).contains(ShimLlama.libllama(ShimLlama.rn()).getFileName().toString())
                .containsPattern("\\(llama\\.cpp b\\d+-[0-9a-f]+ \\(llama\\.rn [0-9.]+\\); seam: shim \\S+libautoglm_shim\\.so\\)");
    }
}

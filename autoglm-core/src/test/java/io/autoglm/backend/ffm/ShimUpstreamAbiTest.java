package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link AbstractShimAbiTest} on a build of llama.cpp's own repository ({@code AUTOGLM_TEST_LLAMA_UPSTREAM}; only
 * where configured, docs/native-seam.md records the runs).
 */
class ShimUpstreamAbiTest extends AbstractShimAbiTest {
    @Override
    Path folder() {
        return ShimLlama.upstream();
    }

    @Test
    void shim_adaptedToUpstreamsHeader() {
        AbiShim shim = (AbiShim) library().abi;
        assertThat(shim.features()).contains("ggml prefix ggml_").contains("penalties(n_vocab, ...)");
    }
}

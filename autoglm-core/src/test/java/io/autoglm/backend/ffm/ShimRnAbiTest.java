package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link AbstractShimAbiTest} on llama.cpp built from llama.rn's sources ({@code .ci/build-llama-rn.sh}), ggml prefixed lm_. */
class ShimRnAbiTest extends AbstractShimAbiTest {
    @Override
    Path folder() {
        return ShimLlama.rn();
    }

    @Test
    void shim_adaptedToLlamaRnsHeader() {
        AbiShim shim = (AbiShim) library().abi;
        // llama.rn renames ggml (lm_ggml_*) and still has the four-argument penalties constructor
        assertThat(shim.features()).contains("ggml prefix lm_ggml_").contains("penalties(last_n, ...)");
        assertThat(shim.version()).matches("b\\d+-[0-9a-f]+ \\(llama\\.rn [0-9.]+\\)");
    }
}

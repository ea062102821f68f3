package io.autoglm.backend.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import io.autoglm.testing.fixtures.CurrentLlama;
import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link AbstractShimAbiTest} on node-llama-cpp's prebuilt llama.cpp (release v0.5.0) with the shim compiled against
 * that release's llama.h ({@code .ci/setup-shim-current.sh}): the shim on a real library built by someone else, in CI.
 * The same library without the shim is served by the hand-written current layout ({@link CurrentAbiTest}); a shim
 * beside it wins.
 */
class ShimCurrentAbiTest extends AbstractShimAbiTest {
    @Override
    Path folder() {
        return ShimLlama.current();
    }

    @Test
    void shim_adaptedToV050sHeader_andWinsOverTheKnownLayout() {
        AbiShim shim = (AbiShim) library().abi;
        // v0.5.0 limits outputs per sequence, takes n_vocab in the penalties constructor and keeps ggml's own names
        assertThat(shim.features()).contains("n_outputs_max_per_seq").contains("penalties(n_vocab, ...)")
                .contains("ggml prefix ggml_");
        assertThat(shim.version()).isEqualTo("v0.5.0 (node-llama-cpp 3.22.1)");
        // the same file without a shim beside it: the hand-written layout of that generation
        assertThat(FfmBackend.library(CurrentLlama.folder()).abi).isInstanceOf(AbiCurrent.class);
    }
}

package io.autoglm.engine;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;

/** {@link BatchingTest} on a build of llama.cpp's own repository through the AutoGLM shim (only where configured). */
class BatchingUpstreamTest extends BatchingTest {
    @Override
    Path nativeLibrary() {
        return ShimLlama.upstream();
    }
}

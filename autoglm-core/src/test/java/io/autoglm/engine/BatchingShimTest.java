package io.autoglm.engine;

import io.autoglm.testing.fixtures.ShimLlama;
import java.nio.file.Path;

/** {@link BatchingTest} on llama.rn's llama.cpp through the AutoGLM shim ({@code autoglm_memory_seq_*}, {@code autoglm_decode}). */
class BatchingShimTest extends BatchingTest {
    @Override
    Path nativeLibrary() {
        return ShimLlama.rn();
    }
}

package io.autoglm.engine;

import io.autoglm.testing.fixtures.CurrentLlama;
import java.nio.file.Path;

/** {@link BatchingTest} on the current llama.cpp ABI generation ({@code llama_memory_seq_*}, unified KV cache). */
class BatchingCurrentTest extends BatchingTest {
    @Override
    Path nativeLibrary() {
        return CurrentLlama.folder();
    }
}

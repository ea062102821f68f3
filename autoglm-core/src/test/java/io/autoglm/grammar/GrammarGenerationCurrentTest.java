package io.autoglm.grammar;

import io.autoglm.testing.fixtures.CurrentLlama;
import java.nio.file.Path;

/** {@link GrammarGenerationTest} on the current llama.cpp generation ({@code AUTOGLM_TEST_LLAMA_CURRENT}). */
class GrammarGenerationCurrentTest extends GrammarGenerationTest {
    @Override
    Path nativeLibrary() {
        return CurrentLlama.folder();
    }
}

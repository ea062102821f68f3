package io.autoglm.grammar;

import io.autoglm.testing.fixtures.CurrentLlama;
import java.nio.file.Path;

/** {@link ToolCallGrammarTest} on the current llama.cpp generation ({@code AUTOGLM_TEST_LLAMA_CURRENT}). */
class ToolCallGrammarCurrentTest extends ToolCallGrammarTest {
    @Override
    Path nativeLibrary() {
        return CurrentLlama.folder();
    }
}

package io.autoglm.engine;

import io.autoglm.Backend;

/** The contract suite on the JNI backend ({@code de.kherud:llama}). */
class JniContractTest extends AbstractLanguageModelContractTest {
    @Override
    Backend backend() {
        return Backend.JNI;
    }

    @Override
    boolean exposesLogits() {
        return false;
    }

    @Override
    boolean perRequestTemplates() {
        return false;
    }

    @Override
    boolean rawEmbeddings() {
        return false;
    }
}

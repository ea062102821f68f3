package io.autoglm.engine;

import io.autoglm.Backend;

/** The contract suite on the FFM backend. */
class FfmContractTest extends AbstractLanguageModelContractTest {
    @Override
    Backend backend() {
        return Backend.FFM;
    }

    @Override
    boolean exposesLogits() {
        return true;
    }

    @Override
    boolean perRequestTemplates() {
        return true;
    }

    @Override
    boolean rawEmbeddings() {
        return true;
    }
}

package io.autoglm.engine;

import io.autoglm.LanguageModel;
import io.autoglm.backend.ModelSpec;

/** Creates {@link LanguageModel} instances for {@link io.autoglm.AutoGLM.Builder}. Not API. */
public final class Engines {
    private Engines() {
    }

    /**
     * @param spec validated options
     * @return a loaded model
     */
    public static LanguageModel open(ModelSpec spec) {
        throw new UnsupportedOperationException("engine not implemented yet");
    }
}

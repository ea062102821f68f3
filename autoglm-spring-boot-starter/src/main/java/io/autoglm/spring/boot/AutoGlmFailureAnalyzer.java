package io.autoglm.spring.boot;

import io.autoglm.AutoGLMException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a model that cannot be loaded into a start-up report that says why and what to change. */
public class AutoGlmFailureAnalyzer extends AbstractFailureAnalyzer<AutoGLMException> {
    /** Creates the analyzer. */
    public AutoGlmFailureAnalyzer() {
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, AutoGLMException cause) {
        return new FailureAnalysis("AutoGLM could not load the model: " + cause.getMessage(),
                "Check autoglm.model (a GGUF path, a catalog name such as stories260k, hf://owner/repo/file.gguf or an "
                        + "https:// URL); without network, put the file on AUTOGLM_MODELS or in the cache first "
                        + "(autoglm pull). To start without a model, remove autoglm.model.", cause);
    }
}

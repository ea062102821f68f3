package io.autoglm.server;

import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;
import io.autoglm.testing.fixtures.TestModels;

/** The real test models, loaded once per JVM and shared by the test classes (closed at exit). */
final class Models {
    private static LanguageModel stories;
    private static LanguageModel tiny;

    private Models() {
    }

    /** @return stories260K, context 1024 (tool descriptions make long prompts) */
    static synchronized LanguageModel stories() {
        if (stories == null) {
            stories = AutoGLM.builder().model(TestModels.stories260K()).contextSize(1024).threads(2).build();
            Runtime.getRuntime().addShutdownHook(new Thread(stories::close));
        }
        return stories;
    }

    /** @return llama-2-tiny-random (random weights, full Llama-2 vocabulary), context 4096 */
    static synchronized LanguageModel tiny() {
        if (tiny == null) {
            tiny = AutoGLM.builder().model(TestModels.tinyRandom()).contextSize(4096).threads(2).build();
            Runtime.getRuntime().addShutdownHook(new Thread(tiny::close));
        }
        return tiny;
    }
}

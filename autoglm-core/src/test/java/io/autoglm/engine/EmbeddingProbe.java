package io.autoglm.engine;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.LanguageModel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Child-JVM entry point of the embedding contract test: loads a model with embeddings on and
 * prints, one per line, the embedding-length of the model and the vectors of a few texts.
 * Arguments: backend (FFM|JNI), model path.
 */
public final class EmbeddingProbe {
    private EmbeddingProbe() {
    }

    /** @param args backend, model path */
    public static void main(String[] args) {
        try (LanguageModel m = AutoGLM.builder().model(Path.of(args[1])).backend(Backend.valueOf(args[0])).threads(2)
                .contextSize(512).build()) {
            System.out.println("dim " + m.info().embeddingLength());
            for (String t : new String[] {"a cat sat on the mat", "a cat sat on the mat", "the weather is cold today"}) {
                System.out.println("norm " + Arrays.toString(m.embed(t)));
            }
            try {
                System.out.println("raw " + Arrays.toString(m.embed("a cat sat on the mat", false)));
            } catch (UnsupportedOperationException e) {
                System.out.println("raw-unsupported " + e.getMessage());
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the JNI binding leaves a non-daemon thread behind
    }
}

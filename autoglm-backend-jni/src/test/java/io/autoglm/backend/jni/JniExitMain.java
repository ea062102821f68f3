package io.autoglm.backend.jni;

import io.autoglm.Backend;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.SerialBackendModel;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import java.nio.file.Path;

/** Child-process program of {@link JniExitTest}: loads a model, generates, closes it and returns from main. */
public final class JniExitMain {
    private JniExitMain() {
    }

    /** @param args the model path */
    public static void main(String[] args) {
        ModelSpec spec = ModelSpec.builder(Path.of(args[0])).backend(Backend.JNI).threads(1).contextSize(128).batchSize(128).maxQueuedRequests(4).embeddings(false).parallel(1).prefixCache(false).build();
        try (SerialBackendModel m = (SerialBackendModel) new JniBackend().load(spec)) {
            int[] prompt = m.tokenize("Once upon a time", true, false);
            int[] n = {0};
            m.generate(GenerationSpec.builder(prompt).sampling(SamplingParams.greedy()).maxTokens(8).ignoreEos(false).build(), t -> ++n[0] > 0);
            System.out.println("generated " + n[0]);
        }
        System.out.println("main returns");
    }
}

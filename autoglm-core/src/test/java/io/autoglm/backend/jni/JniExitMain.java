package io.autoglm.backend.jni;

import io.autoglm.Backend;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import java.nio.file.Path;

/** Child-process program of {@link JniExitTest}: loads a model, generates, closes it and returns from main. */
public final class JniExitMain {
    private JniExitMain() {
    }

    /** @param args the model path */
    public static void main(String[] args) {
        ModelSpec spec = new ModelSpec(Path.of(args[0]), Backend.JNI, 1, 128, 128, 0, null, Quantization.NONE, -1, null,
                null, 4, false);
        try (BackendModel m = new JniBackend().load(spec)) {
            int[] prompt = m.tokenize("Once upon a time", true, false);
            int[] n = {0};
            m.generate(new GenerationSpec(prompt, SamplingParams.greedy(), 8, false, null), t -> ++n[0] > 0);
            System.out.println("generated " + n[0]);
        }
        System.out.println("main returns");
    }
}

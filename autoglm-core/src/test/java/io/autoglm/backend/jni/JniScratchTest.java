package io.autoglm.backend.jni;

import io.autoglm.Backend;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import io.autoglm.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JniScratchTest {
    static ModelSpec spec(Path p, boolean emb) {
        return new ModelSpec(p, Backend.JNI, 1, 512, 512, 0, null, Quantization.NONE, -1, null, null, 16, emb);
    }

    @Test
    void scratch() {
        for (Path p : List.of(TestModels.stories260K(), TestModels.tinyRandom())) {
            try (BackendModel m = new JniBackend().load(spec(p, false))) {
                int[] prompt = m.tokenize("Once upon a time", true, false);
                System.out.println(p + " prompt " + java.util.Arrays.toString(prompt) + " ctx " + m.contextSize() + " vocab " + m.vocabSize());
                for (int rep = 0; rep < 2; rep++) {
                    List<Integer> ids = new ArrayList<>();
                    long t0 = System.nanoTime();
                    GenerationResult r = m.generate(new GenerationSpec(prompt, SamplingParams.greedy(), 200, false, null), ids::add);
                    long t1 = System.nanoTime();
                    StringBuilder sb = new StringBuilder();
                    java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
                    for (int id : ids) bo.writeBytes(m.tokenBytes(id));
                    System.out.println(r + " " + ids.size() + " tok in " + (t1 - t0) / 1e6 + " ms -> " + ids.size() / ((t1 - t0) / 1e9) + " tok/s");
                    System.out.println(ids);
                    System.out.println(bo.toString(java.nio.charset.StandardCharsets.UTF_8));
                }
                System.out.println("eog 2: " + m.isEndOfGeneration(2) + " eog 1: " + m.isEndOfGeneration(1));
            }
        }
    }
}

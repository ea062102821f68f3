package io.autoglm.testing;

import io.autoglm.Backend;
import io.autoglm.Quantization;
import io.autoglm.SamplingParams;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationSpec;
import io.autoglm.backend.ModelSpec;
import io.autoglm.backend.ffm.FfmBackend;
import io.autoglm.gguf.GgufFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: loads a GGUF file with llama.cpp through the FFM backend and decodes a few greedy tokens,
 * proving that llama.cpp accepts and runs what the Java writer/quantizer produced. Only files
 * {@link GgufFile} accepted are handed to the native loader.
 */
public final class LlamaSmoke {
    private LlamaSmoke() {
    }

    /**
     * @param nVocab vocabulary size as llama.cpp sees it
     * @param embeddingLength embedding length as llama.cpp sees it
     * @param generated the greedy tokens
     */
    public record Result(int nVocab, int embeddingLength, int[] generated) {
    }

    /**
     * @param model a GGUF file
     * @param prompt token ids
     * @param steps tokens to generate (end-of-generation ignored, so exactly this many)
     * @return what llama.cpp reported and generated
     */
    public static Result greedy(Path model, int[] prompt, int steps) {
        try (GgufFile f = GgufFile.open(model)) {
            f.tensors(); // validated before the native loader sees it
        }
        ModelSpec spec = new ModelSpec(model, Backend.FFM, 1, 128, 128, 0, null, Quantization.NONE, -1, null, null, 4, false);
        BackendModel m = new FfmBackend().load(spec);
        try {
            List<Integer> out = new ArrayList<>();
            m.generate(new GenerationSpec(prompt, SamplingParams.greedy(), steps, true, null), t -> {
                out.add(t);
                return true;
            });
            return new Result(m.vocabSize(), m.embeddingLength(), out.stream().mapToInt(Integer::intValue).toArray());
        } finally {
            m.close();
        }
    }
}

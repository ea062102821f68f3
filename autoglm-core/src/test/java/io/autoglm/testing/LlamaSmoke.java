package io.autoglm.testing;

import io.autoglm.AutoGLM;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import io.autoglm.gguf.GgufFile;
import java.nio.file.Path;

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
        try (LanguageModel m = AutoGLM.builder().model(model).threads(1).contextSize(128).batchSize(128).parallel(1)
                .prefixCache(false).embeddings(false).maxQueuedRequests(4).build()) {
            int[] out = m.complete(CompletionRequest.builder().promptTokens(prompt).maxTokens(steps).ignoreEos(true).build())
                    .tokens();
            return new Result(m.info().vocabSize(), m.info().embeddingLength(), out);
        }
    }
}

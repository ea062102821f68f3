package io.autoglm;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a loaded model is and how it is served.
 *
 * @param path the GGUF file that was loaded (after any quantization)
 * @param architecture {@code general.architecture}, e.g. {@code llama}
 * @param name {@code general.name}, or the file name when absent
 * @param parameterCount total number of weight elements
 * @param fileType {@code general.file_type} ({@code llama_ftype}), or -1 when absent
 * @param trainedContextLength the model's {@code <arch>.context_length}
 * @param contextSize the context window of this instance, in tokens
 * @param embeddingLength {@code <arch>.embedding_length}
 * @param blockCount {@code <arch>.block_count}
 * @param vocabSize number of tokens in the vocabulary
 * @param chatTemplate the model's own chat template, when it has one
 * @param backend the backend serving the model ({@code ffm} or {@code jni})
 * @param nativeLibrary the native library that serves it (path and version)
 * @param loadMillis time taken to load the model
 * @param precisionDecision what the precision planner decided and why, or {@code "as stored"}
 */
public record ModelInfo(
        Path path,
        String architecture,
        String name,
        long parameterCount,
        int fileType,
        int trainedContextLength,
        int contextSize,
        int embeddingLength,
        int blockCount,
        int vocabSize,
        Optional<String> chatTemplate,
        String backend,
        String nativeLibrary,
        double loadMillis,
        String precisionDecision) {
}

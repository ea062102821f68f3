package io.autoglm;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What a loaded model is and how it is served ({@link LanguageModel#info()}).
 */
public interface ModelInfo {
    /** @return the GGUF file that was loaded (after any quantization) */
    Path path();

    /** @return {@code general.architecture}, e.g. {@code llama} */
    String architecture();

    /** @return {@code general.name}, or the file name when absent */
    String name();

    /** @return total number of weight elements */
    long parameterCount();

    /** @return {@code general.file_type} ({@code llama_ftype}), or -1 when absent */
    int fileType();

    /** @return the model's {@code <arch>.context_length} */
    int trainedContextLength();

    /** @return the context window of one sequence of this instance, in tokens */
    int contextSize();

    /** @return how many sequences are decoded together at most (1 for backends that cannot batch) */
    int parallel();

    /** @return {@code <arch>.embedding_length} */
    int embeddingLength();

    /** @return {@code <arch>.block_count} */
    int blockCount();

    /** @return number of tokens in the vocabulary */
    int vocabSize();

    /** @return the model's own chat template, when it has one */
    Optional<String> chatTemplate();

    /** @return the backend serving the model ({@code ffm} or {@code jni}) */
    String backend();

    /**
     * @return the native library that serves it: the file, the llama.cpp generation or release, and the seam
     *     through which the FFM backend drives it, e.g. {@code .../libjllama.so (llama.cpp b4916; seam: bundled layout)},
     *     {@code .../libllama.v0.5.0.so (llama.cpp current ABI, version 0.5.0-dev; seam: known generation current)} or
     *     {@code .../libllama.so (llama.cpp b10256-6c8dcaa; seam: shim .../libautoglm_shim.so)} (docs/native-seam.md)
     */
    String nativeLibrary();

    /** @return time taken to load the model, in milliseconds */
    double loadMillis();

    /** @return what the precision planner decided and why, or {@code "as stored"} */
    String precisionDecision();

    /** @return what this model can do as loaded */
    Set<Capability> capabilities();

    /**
     * @param capability a capability
     * @return whether {@link #capabilities()} holds it
     */
    default boolean supports(Capability capability) {
        return capabilities().contains(capability);
    }
}

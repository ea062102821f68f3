package io.autoglm.backend;

import io.autoglm.Backend;
import io.autoglm.LoadProgressListener;
import io.autoglm.Quantization;
import java.nio.file.Path;

/**
 * Everything a backend needs to load a model, as collected by {@link io.autoglm.AutoGLM.Builder}.
 * Values are already validated by the builder.
 *
 * @param path the GGUF file
 * @param backend which backend to use
 * @param threads CPU threads
 * @param contextSize context window in tokens, 0 = trained length
 * @param batchSize logical batch size
 * @param gpuLayers layers to offload
 * @param nativeLibrary a llama.cpp build to use, or null for the default
 * @param quantization precision requested
 * @param memoryBudgetBytes memory budget for AUTO, or -1 for detected available memory
 * @param chatTemplate default chat template, or null
 * @param progress load progress listener, or null
 * @param maxQueuedRequests queue bound
 * @param embeddings whether embeddings will be requested
 */
public record ModelSpec(
        Path path,
        Backend backend,
        int threads,
        int contextSize,
        int batchSize,
        int gpuLayers,
        Path nativeLibrary,
        Quantization quantization,
        long memoryBudgetBytes,
        String chatTemplate,
        LoadProgressListener progress,
        int maxQueuedRequests,
        boolean embeddings) {

    /** @param newPath another file (e.g. the quantized copy) @return this spec for that file */
    public ModelSpec withPath(Path newPath) {
        return new ModelSpec(newPath, backend, threads, contextSize, batchSize, gpuLayers, nativeLibrary, quantization,
                memoryBudgetBytes, chatTemplate, progress, maxQueuedRequests, embeddings);
    }
}

package io.autoglm.engine;

import io.autoglm.Capability;
import io.autoglm.ModelInfo;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** The engine's {@link ModelInfo}: immutable values read at load. */
record EngineModelInfo(Path path, String architecture, String name, long parameterCount, int fileType,
        int trainedContextLength, int contextSize, int parallel, int embeddingLength, int blockCount, int vocabSize,
        Optional<String> chatTemplate, String backend, String nativeLibrary, double loadMillis, String precisionDecision,
        Set<Capability> capabilities) implements ModelInfo {
    EngineModelInfo {
        capabilities = Set.copyOf(capabilities);
    }
}

package io.autoglm.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the engine takes from a GGUF file's header, read and validated by the Java reader before
 * any native loader sees the file.
 */
record ModelFile(String architecture, Optional<String> name, long parameterCount, int fileType, int contextLength,
        int embeddingLength, int blockCount, Optional<String> chatTemplate) {

    /**
     * @param path the file (exists, regular)
     * @return its summary
     * @throws io.autoglm.ModelFormatException when the file is not valid GGUF
     */
    static ModelFile read(Path path) {
        throw new UnsupportedOperationException("GGUF reader not merged yet");
    }
}

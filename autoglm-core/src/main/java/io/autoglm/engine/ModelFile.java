package io.autoglm.engine;

import io.autoglm.ModelFormatException;
import io.autoglm.gguf.GgufFile;
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
        try (GgufFile gguf = GgufFile.open(path)) {
            String arch = gguf.architecture().orElseThrow(() -> new ModelFormatException(
                    "GGUF file has no general.architecture, so no loader can run it: " + path, -1));
            return new ModelFile(arch, gguf.name(), gguf.parameterCount(), (int) gguf.fileType().orElse(-1),
                    clampInt(gguf.contextLength().orElse(0)), clampInt(gguf.embeddingLength().orElse(0)),
                    clampInt(gguf.blockCount().orElse(0)), gguf.chatTemplate());
        }
    }

    private static int clampInt(long v) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }
}

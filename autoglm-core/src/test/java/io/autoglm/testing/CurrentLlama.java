package io.autoglm.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the current-generation llama.cpp build used by the second-ABI tests: the folder named by
 * {@code AUTOGLM_TEST_LLAMA_CURRENT} ({@code .ci/setup-llama-current.sh} fetches it with
 * {@code npm pack @node-llama-cpp/linux-x64@3.22.1}). With {@code CI=true} a missing folder fails
 * the test; elsewhere the test is skipped with a message.
 */
public final class CurrentLlama {
    /** the environment variable naming the folder */
    public static final String ENV = "AUTOGLM_TEST_LLAMA_CURRENT";

    private CurrentLlama() {
    }

    /** @return the folder holding {@code libllama*.so} and its ggml libraries */
    public static Path folder() {
        String env = System.getenv(ENV);
        Path dir = env == null || env.isBlank() ? null : Path.of(env).toAbsolutePath().normalize();
        boolean ok = dir != null && Files.isDirectory(dir) && library(dir) != null;
        if (!ok) {
            String msg = "current llama.cpp build not found: set " + ENV + " to a folder with libllama and its ggml "
                    + "libraries (source .ci/setup-llama-current.sh); was " + env;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.assumeTrue(ok, msg);
        }
        return dir;
    }

    /** @return the {@code libllama} file inside {@link #folder()} */
    public static Path libllama() {
        return library(folder());
    }

    private static Path library(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("libllama.") && Files.isRegularFile(p))
                    .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}

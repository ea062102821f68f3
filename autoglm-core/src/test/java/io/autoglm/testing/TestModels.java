package io.autoglm.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the shared test models: {@code AUTOGLM_TEST_MODELS}, else {@code ../shared/models} beside
 * the project root (surefire passes the root as {@code autoglm.root}). With {@code CI=true} a
 * missing model fails the test; elsewhere the test is skipped with a message.
 */
public final class TestModels {
    private TestModels() {
    }

    /** @return the project root */
    public static Path projectRoot() {
        return Path.of(System.getProperty("autoglm.root", ".")).toAbsolutePath().normalize();
    }

    /** @return the models folder */
    public static Path dir() {
        String env = System.getenv("AUTOGLM_TEST_MODELS");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        return projectRoot().resolve("../shared/models").normalize();
    }

    /** @return the shared datasets folder ({@code ../shared/datasets}) */
    public static Path datasetsDir() {
        return dir().resolveSibling("datasets");
    }

    /**
     * @param relative path below the models folder
     * @return the file; fails (CI) or skips (elsewhere) when missing
     */
    public static Path require(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.isRegularFile(p)) {
            String msg = "test model " + p + " is missing; set AUTOGLM_TEST_MODELS or put ../shared beside the project";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.assumeTrue(Files.isRegularFile(p), msg);
        }
        return p;
    }

    /** @return {@code stories260K.gguf}: a real 260K-parameter llama, F32, 512-token SPM vocab */
    public static Path stories260K() {
        return require("stories260K.gguf");
    }

    /** @return {@code llama-2-tiny-random.gguf}: random weights, F16, full 32,000-token Llama-2 vocab */
    public static Path tinyRandom() {
        return require("llama-2-tiny-random.gguf");
    }

    /** @param name e.g. {@code ggml-vocab-llama-spm.gguf} @return the vocab-only file */
    public static Path vocab(String name) {
        return require("vocab/" + name);
    }

    /** @return the War and Peace book-one text */
    public static Path text() {
        return require("text/war-and-peace-book-one.txt");
    }
}

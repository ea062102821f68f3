package io.autoglm.testing;

import io.autoglm.testing.fixtures.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a separate JVM with the test class path, so a native abort (a
 * {@code GGML_ASSERT} in llama.cpp) fails one test instead of killing the whole test fork.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * What the child did.
     *
     * @param exit exit code (134 = SIGABRT)
     * @param out standard output
     * @param err standard error
     */
    public record Result(int exit, String out, String err) {
    }

    /**
     * @param main the class with {@code main}
     * @param args its arguments
     * @return the result, after at most two minutes
     */
    public static Result run(Class<?> main, String... args) {
        return run(java.util.Map.of(), main, args);
    }

    /**
     * @param environment variables to set in the child (a null value removes the variable)
     * @param main the class with {@code main}
     * @param args its arguments
     * @return the result, after at most two minutes
     */
    public static Result run(java.util.Map<String, String> environment, Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dautoglm.root=" + TestModels.projectRoot(), "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            environment.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM " + main.getName() + " timed out");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot start a child JVM: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}

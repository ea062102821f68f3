package io.autoglm.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the CLI's AOT cache (JDK 25, JEPs 483, 514 and 515), started by the build after the jar is
 * made:
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -XX:AOTCacheOutput=target/autoglm.aot -cp target/autoglm.jar \
 *     io.autoglm.cli.AotTraining [MODELS_FOLDER...]
 * }</pre>
 *
 * <p>It runs the commands a one-shot invocation runs, in this JVM and with their output thrown away, so that the
 * JVM records the classes they load and link and the methods they run; {@code bin/autoglm} then starts from that
 * cache. With a folder holding {@code stories260K.gguf} (the first of the arguments and {@code AUTOGLM_TEST_MODELS}
 * that has it) it also generates, tokenizes and inspects with it, which covers the native library and the decode
 * path; without one, the commands that need no model. It always exits 0: a failed training only means a smaller
 * cache.
 */
public final class AotTraining {
    /** The model the training generates with, when it is found. */
    static final String MODEL = "stories260K.gguf";

    private AotTraining() {
    }

    /** @param args folders that may hold {@value #MODEL} */
    public static void main(String[] args) {
        List<String> folders = new ArrayList<>(List.of(args));
        String env = System.getenv("AUTOGLM_TEST_MODELS");
        if (env != null && !env.isBlank()) {
            folders.add(0, env);
        }
        Path model = folders.stream().map(f -> Path.of(f, MODEL)).filter(Files::isRegularFile).findFirst().orElse(null);
        List<String[]> runs = new ArrayList<>();
        runs.add(new String[] {"--help"});
        runs.add(new String[] {"generate", "--help"});
        runs.add(new String[] {"generate", "--model", "none.gguf", "--prompt", "x", "--max-tokens", "-1"});
        runs.add(new String[] {"frobnicate"});
        runs.add(new String[] {"inspect", "--native-library"});
        if (model != null) {
            String m = model.toString();
            for (String backend : new String[] {"ffm", "jni"}) {
                runs.add(new String[] {"generate", "--model", m, "--prompt", "Once upon a time", "--max-tokens", "48",
                    "--backend", backend});
            }
            runs.add(new String[] {"generate", "--model", m, "--prompt", "Once upon a time", "--max-tokens", "8", "--json"});
            runs.add(new String[] {"tokenize", "--model", m, "--text", "Hello world", "--json"});
            runs.add(new String[] {"inspect", "--model", m});
        }
        int failed = 0;
        for (String[] run : runs) {
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            try {
                picocli.CommandLine cl = AutoGlmCli.commandLineFor(run);
                cl.setOut(quiet);
                cl.setErr(quiet);
                cl.execute(run);
            } catch (RuntimeException | LinkageError e) {
                failed++;
                System.out.println("aot training: autoglm " + String.join(" ", run) + " failed: " + e);
            }
        }
        System.out.printf("aot training: %d commands (%s), %d failed%n", runs.size(),
                model == null ? "no " + MODEL + " found: without a model" : "with " + model, failed);
    }
}

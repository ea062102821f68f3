package io.autoglm.cli;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.IsolationProbe;
import io.autoglm.LanguageModel;
import io.autoglm.Quantization;
import io.autoglm.hub.ModelHub;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every model-loading command shares. */
final class ModelOptions {
    /** The help text of every option that takes a model reference. */
    static final String REF_HELP = "a GGUF file, a catalog name (stories260k; see autoglm models --catalog), "
            + "hf://owner/repo/file.gguf[@revision] or an https:// URL; found in the cache, then on AUTOGLM_MODELS, "
            + "else downloaded (see autoglm pull --help)";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--model", required = true, paramLabel = "REF", description = "the model: " + REF_HELP)
    String model;

    @Option(names = "--offline", description = "never download (as HF_HUB_OFFLINE=1): use the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--backend", paramLabel = "ffm|jni", defaultValue = "ffm",
            description = "native path: ffm (default) or jni")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: cores, at most 8)")
    Integer threads;

    @Option(names = "--ctx", paramLabel = "N", description = "context window in tokens, 0 = the model's trained length (default 2048)")
    Integer ctx;

    @Option(names = "--native-library", paramLabel = "PATH",
            description = "llama.cpp build to run on (libllama file or its folder; ffm only). Default: "
                    + "-Dautoglm.native.library, else AUTOGLM_NATIVE_LIBRARY, else the bundled b4916")
    Path nativeLibrary;

    @Option(names = "--quantize", paramLabel = "TYPE", description = "run at another precision (auto, int8, int4, q8_0, ...); needs autoglm-quant")
    String quantize;

    @Option(names = "--memory-budget", paramLabel = "SIZE",
            description = "memory for weights + KV cache with --quantize auto, e.g. 512M, 4G or bytes (default: available memory)")
    String memoryBudget;

    @Option(names = "--isolation-probe", paramLabel = "off|unseen-files|always",
            description = "load the model first in a child JVM (one token decoded there), so a file that crashes llama.cpp "
                    + "ends the child, not this command; verdicts are cached by SHA-256 (default: off)")
    String isolationProbe;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    /**
     * Quiets library logging unless --verbose (also used by the commands without a {@code --model}); only
     * effective before the first logger is created.
     *
     * @param verbose whether --verbose was given
     */
    static void configureLogging(boolean verbose) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        }
        if (!verbose && System.getProperty("org.slf4j.simpleLogger.log.io.autoglm.native") == null) {
            // llama.cpp's own lines (routed into SLF4J) are noise on a terminal, and its errors are quoted in the
            // exception that ends the command (its one stderr line); --verbose shows them all
            System.setProperty("org.slf4j.simpleLogger.log.io.autoglm.native", "off");
        }
    }

    Backend backendValue() {
        return switch (backend.toLowerCase(Locale.ROOT)) {
            case "ffm" -> Backend.FFM;
            case "jni" -> Backend.JNI;
            default -> throw new IllegalArgumentException("--backend must be ffm or jni, was " + backend);
        };
    }

    /**
     * @param offline true to forbid downloads (HF_HUB_OFFLINE is honoured either way)
     * @param err where download progress goes
     * @return the hub the CLI resolves model references with
     */
    static ModelHub hub(boolean offline, PrintWriter err) {
        ModelHub.Builder b = ModelHub.builder().listener(PullProgress.forStderr(err));
        if (offline) {
            b.offline(true);
        }
        return b.build();
    }

    /**
     * @param reference a model reference
     * @param offline true to forbid downloads
     * @param err where download progress goes
     * @return the local file to load (the first part of a split model)
     */
    static Path resolve(String reference, boolean offline, PrintWriter err) {
        return hub(offline, err).resolve(reference).path();
    }

    /** @param chatTemplate default chat template, or null @return a builder with these options */
    AutoGLM.Builder builder(String chatTemplate) {
        configureLogging(verbose);
        // one caller: one sequence (a bigger KV cache would only cost memory and start-up)
        AutoGLM.Builder b = AutoGLM.builder().model(model).modelHub(hub(offline, mixee.commandLine().getErr()))
                .backend(backendValue()).parallel(1);
        if (threads != null) {
            b.threads(threads);
        }
        if (ctx != null) {
            b.contextSize(ctx);
        }
        if (quantize != null) {
            Quantization q = quantization(quantize);
            if (q != Quantization.NONE) {
                QuantizeCommand.requireVectorApi("--quantize " + quantize);
            }
            b.quantization(q);
        }
        if (nativeLibrary != null) {
            b.nativeLibrary(nativeLibrary);
        }
        if (memoryBudget != null) {
            b.memoryBudget(parseSize(memoryBudget));
        }
        if (chatTemplate != null) {
            b.chatTemplate(chatTemplate);
        }
        if (isolationProbe != null) {
            b.isolationProbe(IsolationProbe.parse(isolationProbe));
        }
        return b;
    }

    /**
     * @param v the value of {@code --quantize}
     * @return it parsed
     * @throws IllegalArgumentException naming the flag and the accepted values
     */
    static Quantization quantization(String v) {
        try {
            return Quantization.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--quantize must be auto, none or a preset ("
                    + String.join(", ", QuantizeCommand.presetNames()) + "), was '" + v + "'", e);
        }
    }

    /**
     * @param v the value of {@code --memory-budget}: bytes, or a number with K, M, G or T (powers of 1024, optional
     *     trailing B or iB)
     * @return bytes
     * @throws IllegalArgumentException for anything else
     */
    static long parseSize(String v) {
        return parseSize("--memory-budget", v);
    }

    /**
     * @param flag the flag the value was given to, named in the error
     * @param v a size: bytes, or a number with K, M, G or T (powers of 1024, optional trailing B or iB)
     * @return bytes
     * @throws IllegalArgumentException naming the flag, for anything else
     */
    static long parseSize(String flag, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> mult = 1L << 10;
                case 'M' -> mult = 1L << 20;
                case 'G' -> mult = 1L << 30;
                case 'T' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult > 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            double n = Double.parseDouble(s);
            if (!(n > 0) || n * mult > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (n * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a positive size such as 512M, 4G or 1073741824, was '"
                    + v + "'");
        }
    }

    /** @return the model, without an embedding context (commands that embed use {@link #builder}) */
    LanguageModel open() {
        return builder(null).embeddings(false).build();
    }
}

package io.autoglm.bench;

import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.IsolationProbe;
import io.autoglm.LanguageModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Wall time of {@code AutoGLM.builder()...build()} with the isolation probe off, with a cached verdict
 * ({@code UNSEEN_FILES} after the first build) and probing every time ({@code ALWAYS}), measured side by side in one
 * run, rounds interleaved. The probe's child JVM is started from this JVM's class path, so running this from the
 * shaded {@code benchmarks.jar} also shows the probe working from a shaded jar.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED -cp autoglm-bench/target/benchmarks.jar io.autoglm.bench.ProbeCost \
 *      ../shared/models/stories260K.gguf [rounds]
 * }</pre>
 */
public final class ProbeCost {
    private ProbeCost() {
    }

    /** @param args model file, optional rounds (default 7) */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ProbeCost MODEL.gguf [rounds]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        time(model, IsolationProbe.UNSEEN_FILES); // warm-up, and leaves a cached verdict
        time(model, IsolationProbe.OFF);
        IsolationProbe[] modes = {IsolationProbe.OFF, IsolationProbe.UNSEEN_FILES, IsolationProbe.ALWAYS};
        double[][] t = new double[modes.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < modes.length; m++) {
                t[m][r] = time(model, modes[m]);
            }
        }
        System.out.printf(Locale.ROOT, "build() of %s, %d rounds, median (min..max) ms:%n", model.getFileName(), rounds);
        for (int m = 0; m < modes.length; m++) {
            double[] s = t[m].clone();
            Arrays.sort(s);
            System.out.printf(Locale.ROOT, "  %-13s %8.0f  (%.0f..%.0f)%n", modes[m], s[rounds / 2], s[0], s[rounds - 1]);
        }
    }

    private static double time(Path model, IsolationProbe mode) {
        long t0 = System.nanoTime();
        try (LanguageModel m = AutoGLM.builder().model(model).backend(Backend.FFM).threads(1).contextSize(256)
                .embeddings(false).isolationProbe(mode).build()) {
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}

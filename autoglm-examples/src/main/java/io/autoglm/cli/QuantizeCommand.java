package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.Quantization;
import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.ModelQuantizer;
import io.autoglm.quant.QuantizationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code autoglm quantize IN OUT --type Q4_K_M}: writes a quantized copy of a GGUF model. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a GGUF model with llama.cpp's presets (bit-exact Java codecs).")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "the model to read (F32, F16, BF16 or quantized): a GGUF file, "
            + "a catalog name, hf://owner/repo/file.gguf or an https:// URL")
    String input;

    @Parameters(index = "1", paramLabel = "OUT", description = "GGUF file to write (replaced atomically)")
    Path output;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "preset: F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, "
                    + "Q6_K, or int8, int4, fp16")
    String type;

    /** Aliases {@link Quantization#parse} accepts besides the preset names. */
    private static final List<String> ALIASES = List.of("int8", "int4", "fp16");

    /** @return the names {@code --type} accepts: every concrete preset, then the aliases */
    static List<String> presetNames() {
        List<String> names = new ArrayList<>();
        for (Quantization q : Quantization.values()) {
            if (q != Quantization.NONE && q != Quantization.AUTO) {
                names.add(q.name());
            }
        }
        names.addAll(ALIASES);
        return names;
    }

    /**
     * @param v the value of {@code --type}
     * @return the preset
     * @throws IllegalArgumentException naming the flag and only the values it accepts
     */
    static Quantization preset(String v) {
        Quantization q;
        try {
            q = Quantization.parse(v);
        } catch (IllegalArgumentException e) {
            q = null;
        }
        if (q == null || q == Quantization.NONE || q == Quantization.AUTO) {
            throw new IllegalArgumentException("--type must be one of " + String.join(", ", presetNames()) + "; was '" + v + "'");
        }
        return q;
    }

    @Option(names = "--threads", paramLabel = "N", description = "threads (default: cores)")
    Integer threads;

    @Option(names = "--pure", description = "every quantizable tensor gets the preset's base type (no mix)")
    boolean pure;

    @Option(names = "--no-sync", description = "do not force the output to the disk before renaming it into place "
            + "(faster; a power loss right after may lose it)")
    boolean noSync;

    @Option(names = "--offline", description = "never download IN: use the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--json", description = "print the summary as one JSON object")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    /**
     * Fails clearly when the quantizer's codecs cannot run: they use the JDK's Vector API, an incubator module that
     * {@code bin/autoglm} adds only for the commands that need it (the JDK warns whenever it is present).
     *
     * @param what the command or flag, for the message
     * @throws IllegalStateException when {@code jdk.incubator.vector} is not in the boot layer
     */
    static void requireVectorApi(String what) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException(what + " runs the Java quantizer, which needs the JDK's Vector API: run it "
                    + "through bin/autoglm, or add --add-modules jdk.incubator.vector to the java command line");
        }
    }

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Quantization preset = preset(type);
        requireVectorApi("quantize");
        Path inputPath = ModelOptions.resolve(input, offline, err);
        ModelQuantizer.Builder b = ModelQuantizer.builder().input(inputPath).output(output).preset(preset).pure(pure)
                .durable(!noSync);
        if (threads != null) {
            b.threads(threads);
        }
        QuantizationResult r;
        try (Progress progress = Progress.start(err, "quantize", -1,
                Progress.bytes(inputPath.toFile().length()))) {
            // one call per tensor written, from the worker threads; the total is known from the first call
            b.listener(p -> {
                progress.total(p.bytesTotal());
                progress.message(p.tensorName());
                progress.stepTo(p.bytesRead());
            });
            r = b.build().quantize();
        }
        double seconds = r.elapsed().toNanos() / 1e9;
        Map<String, Integer> perType = new TreeMap<>();
        for (Map.Entry<GgmlType, Integer> e : r.tensorsPerType().entrySet()) {
            perType.put(e.getKey().name(), e.getValue());
        }
        if (json) {
            ObjectNode o = Json.object();
            o.put("input", inputPath.toString());
            o.put("output", r.output().toString());
            o.put("type", r.preset().name());
            ObjectNode types = o.putObject("tensors_per_type");
            perType.forEach(types::put);
            o.put("fallbacks", r.fallbacks());
            o.put("input_bytes", r.inputBytes());
            o.put("output_bytes", r.outputBytes());
            o.put("seconds", Json.round(seconds));
            o.put("mb_per_second", Json.round(r.megabytesPerSecond()));
            Json.print(out, o);
        } else {
            out.printf(Locale.ROOT, "quantized %s -> %s (%s)%n", inputPath, r.output(), r.preset());
            perType.forEach((t, n) -> out.printf(Locale.ROOT, "  %-6s %d tensors%n", t, n));
            if (r.fallbacks() > 0) {
                out.printf(Locale.ROOT, "  %d tensors used a fallback type (row length)%n", r.fallbacks());
            }
            out.printf(Locale.ROOT, "input %d bytes, output %d bytes (%.1f%%), %.2f s, %.1f MB/s%n", r.inputBytes(),
                    r.outputBytes(), 100.0 * r.outputBytes() / Math.max(1, r.inputBytes()), seconds, r.megabytesPerSecond());
            out.flush();
        }
        return 0;
    }
}

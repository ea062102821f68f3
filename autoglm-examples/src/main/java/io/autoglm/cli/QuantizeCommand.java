package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.gguf.GgmlType;
import io.autoglm.quant.ModelQuantizer;
import io.autoglm.quant.QuantizationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path inputPath = ModelOptions.resolve(input, offline, err);
        ModelQuantizer.Builder b = ModelQuantizer.builder().input(inputPath).output(output).preset(type).pure(pure).durable(!noSync);
        if (threads != null) {
            b.threads(threads);
        }
        boolean bar = System.console() != null && !json;
        if (bar) {
            b.listener(p -> {
                int width = 30;
                int filled = (int) Math.round(p.fraction() * width);
                err.printf(Locale.ROOT, "\r[%s%s] %3.0f%% %d/%d %-40.40s", "#".repeat(filled), " ".repeat(width - filled),
                        100 * p.fraction(), p.tensorsDone(), p.tensorCount(), p.tensorName());
                err.flush();
            });
        }
        QuantizationResult r = b.build().quantize();
        if (bar) {
            err.println();
            err.flush();
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

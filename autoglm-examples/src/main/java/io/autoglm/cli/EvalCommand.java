package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.quant.QualityEvaluator;
import io.autoglm.quant.QualityReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code autoglm eval --base A --quantized B [--quantized C ...] --text FILE}: KL divergence, top-1 agreement and
 * perplexity; one JSON object for one model, an array for several.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Compare a quantized model with its source over a text: KL divergence, top-1 agreement, perplexity.")
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--base", required = true, paramLabel = "REF", description = "the source model (a GGUF file, catalog name, hf:// or https:// reference)")
    String base;

    @Option(names = "--quantized", required = true, paramLabel = "REF",
            description = "a quantized model (file or reference); repeat to compare several (the source is evaluated once per window)")
    List<String> quantized;

    @Option(names = "--offline", description = "never download: use the cache and AUTOGLM_MODELS only")
    boolean offline;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "UTF-8 text to evaluate on")
    Path text;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "256", description = "tokens per window (default 256)")
    int ctx;

    @Option(names = "--stride", paramLabel = "N", description = "tokens between windows (default ctx / 2)")
    Integer stride;

    @Option(names = "--max-windows", paramLabel = "N", description = "evaluate at most N windows (default: the whole text)")
    Integer maxWindows;

    @Option(names = "--threads", paramLabel = "N", description = "decoding threads (default: cores, at most 8)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--verbose", description = "log details and print stack traces on errors")
    boolean verbose;

    private static ObjectNode toJson(QualityReport r) {
        ObjectNode o = Json.object();
        o.put("base", r.base().toString());
        o.put("quantized", r.quantized().toString());
        o.put("ctx", r.contextSize());
        o.put("stride", r.stride());
        o.put("windows", r.windows());
        o.put("tokens", r.scoredTokens());
        o.put("kl_mean", r.meanKl());
        o.put("kl_p99", r.p99Kl());
        o.put("kl_max", r.maxKl());
        o.put("top1_agreement", r.top1Agreement());
        o.put("ppl_base", r.basePerplexity());
        o.put("ppl_quantized", r.quantizedPerplexity());
        return o;
    }

    @Override
    public Integer call() {
        ModelOptions.configureLogging(verbose);
        PrintWriter err = spec.commandLine().getErr();
        List<Path> quantizedPaths = quantized.stream().map(q -> ModelOptions.resolve(q, offline, err)).toList();
        QualityEvaluator.Builder b = QualityEvaluator.builder().base(ModelOptions.resolve(base, offline, err)).text(text)
                .contextSize(ctx);
        if (stride != null) {
            b.stride(stride);
        }
        if (maxWindows != null) {
            b.maxWindows(maxWindows);
        }
        if (threads != null) {
            b.threads(threads);
        }
        List<QualityReport> reports;
        try (Progress progress = Progress.start(spec.commandLine().getErr(), "eval", -1, Progress.Unit.of("windows"))) {
            b.listener((done, windows) -> {
                progress.total(windows);
                progress.stepTo(done);
            });
            reports = b.build().evaluateAll(quantizedPaths);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            if (reports.size() == 1) {
                Json.print(out, toJson(reports.get(0)));
            } else {
                ArrayNode a = Json.MAPPER.createArrayNode();
                reports.forEach(r -> a.add(toJson(r)));
                Json.print(out, a);
            }
        } else {
            for (QualityReport r : reports) {
                if (reports.size() > 1) {
                    out.println(r.quantized());
                }
                out.printf(Locale.ROOT, "%d tokens in %d windows (ctx %d, stride %d)%n", r.scoredTokens(), r.windows(),
                        r.contextSize(), r.stride());
                out.printf(Locale.ROOT, "KL divergence mean %.6f  p99 %.6f  max %.6f%n", r.meanKl(), r.p99Kl(), r.maxKl());
                out.printf(Locale.ROOT, "top-1 agreement %.2f%%%n", 100 * r.top1Agreement());
                out.printf(Locale.ROOT, "perplexity base %.4f  quantized %.4f%n", r.basePerplexity(), r.quantizedPerplexity());
            }
            out.flush();
        }
        return 0;
    }
}

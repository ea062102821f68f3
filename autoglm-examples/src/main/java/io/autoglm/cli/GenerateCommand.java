package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autoglm generate}: completes a prompt, streaming the text (or one JSON object with --json). */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text from a prompt.")
final class GenerateCommand extends GeneratingCommand {
    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "prompt text")
    String prompt;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CompletionRequest request = samplingOptions.apply(CompletionRequest.builder().prompt(prompt)).build();
        long t0 = System.nanoTime();
        try (LanguageModel model = modelOptions.open()) {
            double loadMillis = (System.nanoTime() - t0) / 1e6;
            Completion c;
            if (modelOptions.json) {
                c = model.complete(request);
            } else {
                c = model.complete(request, printing(out));
                endLine(out);
            }
            if (modelOptions.json) {
                ObjectNode o = Json.object();
                o.put("text", c.text());
                var tokens = o.putArray("tokens");
                for (int t : c.tokens()) {
                    tokens.add(t);
                }
                putFinish(o, c);
                ObjectNode timings = o.putObject("timings");
                timings.put("load_ms", Json.round(loadMillis));
                timings.put("prompt_ms", Json.round(c.timings().promptMillis()));
                timings.put("decode_ms", Json.round(c.timings().decodeMillis()));
                timings.put("decode_tokens_per_second", Json.round(c.timings().decodeTokensPerSecond()));
                o.put("backend", model.info().backend());
                o.put("native_library", model.info().nativeLibrary());
                o.put("precision", model.info().precisionDecision());
                Json.print(out, o);
            } else if (modelOptions.verbose) {
                err.printf(Locale.ROOT, "[%s: %d prompt + %d generated tokens, load %.1f ms, prompt %.1f ms, decode %.1f ms, %.1f tok/s, %s backend]%n",
                        c.finishReason().name().toLowerCase(Locale.ROOT), c.usage().promptTokens(),
                        c.usage().completionTokens(), loadMillis, c.timings().promptMillis(), c.timings().decodeMillis(),
                        c.timings().decodeTokensPerSecond(), model.info().backend());
                err.flush();
            }
        }
        return 0;
    }
}

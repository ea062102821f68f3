package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code autoglm embed}: prints the pooled embedding of a text. */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Print the pooled embedding of a text.")
final class EmbedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "text to embed")
    String text;

    @Option(names = "--no-normalize", description = "do not L2-normalise the vector")
    boolean noNormalize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = modelOptions.builder(null).embeddings(true).build()) {
            float[] e = model.embed(text, !noNormalize);
            if (modelOptions.json) {
                ObjectNode o = Json.object();
                var arr = o.putArray("embedding");
                for (float v : e) {
                    arr.add(v);
                }
                o.put("dimension", e.length);
                Json.print(out, o);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < e.length; i++) {
                    sb.append(i == 0 ? "" : " ").append(e[i]);
                }
                out.println(sb);
                out.flush();
            }
        }
        return 0;
    }
}

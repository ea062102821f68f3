package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autoglm embed}: prints the pooled embedding of a text. */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Print the pooled embedding of a text.")
final class EmbedCommand extends ModelTextCommand {
    @Option(names = "--no-normalize", description = "do not L2-normalise the vector")
    boolean noNormalize;

    EmbedCommand() {
        super(true);
    }

    @Override
    void run(LanguageModel model, PrintWriter out) {
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
}

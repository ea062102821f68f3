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

/** {@code autoglm tokenize}: prints the token ids of a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token ids of a text.")
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "text to tokenize")
    String text;

    @Option(names = "--no-special", description = "do not add BOS/EOS (special-token text is still parsed)")
    boolean noSpecial;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel model = modelOptions.builder(null).embeddings(false).build()) {
            int[] tokens = model.tokenize(text, !noSpecial, true);
            if (modelOptions.json) {
                ObjectNode o = Json.object();
                var arr = o.putArray("tokens");
                for (int t : tokens) {
                    arr.add(t);
                }
                Json.print(out, o);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int t : tokens) {
                    sb.append(sb.isEmpty() ? "" : " ").append(t);
                }
                out.println(sb);
                if (modelOptions.verbose) {
                    for (int t : tokens) {
                        out.println(t + "\t'" + model.detokenize(new int[] {t}) + "'");
                    }
                }
                out.flush();
            }
        }
        return 0;
    }
}

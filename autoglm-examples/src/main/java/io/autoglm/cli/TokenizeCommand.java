package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.LanguageModel;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autoglm tokenize}: prints the token ids of a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the token ids of a text.")
final class TokenizeCommand extends ModelTextCommand {
    @Option(names = "--no-special", description = "do not add BOS/EOS (special-token text is still parsed)")
    boolean noSpecial;

    TokenizeCommand() {
        super(false);
    }

    @Override
    void run(LanguageModel model, PrintWriter out) {
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
}

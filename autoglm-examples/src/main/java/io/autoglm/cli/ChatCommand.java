package io.autoglm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.LanguageModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code autoglm chat}: an interactive chat on standard input. Each line is a user message; the
 * reply streams as it is generated; {@code /exit} (or end of input) quits. The conversation is kept.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat interactively: one user message per line, /exit to quit; replies stream as generated.")
final class ChatCommand extends GeneratingCommand {
    @Option(names = "--system", paramLabel = "TEXT", description = "system message")
    String system;

    @Option(names = "--chat-template", paramLabel = "NAME|TEXT",
            description = "chat template for models without their own (e.g. chatml)")
    String chatTemplate;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<ChatMessage> history = new ArrayList<>();
        if (system != null) {
            history.add(ChatMessage.system(system));
        }
        samplingOptions.validate();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LanguageModel model = modelOptions.builder(chatTemplate).embeddings(false).build()) {
            if (chatTemplate == null && model.info().chatTemplate().isEmpty()) {
                throw new IllegalStateException("model " + model.info().name() + " has no chat template of its own "
                        + "(tokenizer.chat_template); name one with --chat-template, e.g. --chat-template chatml "
                        + "(or llama2, or the template text)");
            }
            boolean interactive = System.console() != null && !modelOptions.json;
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                history.add(ChatMessage.user(line));
                ChatRequest request = samplingOptions.apply(ChatRequest.builder().messages(history)).build();
                ChatResponse r;
                if (modelOptions.json) {
                    r = model.chat(request);
                    ObjectNode o = Json.object();
                    o.put("text", r.text());
                    putFinish(o, r.completion());
                    Json.print(out, o);
                } else {
                    r = model.chat(request, printing(out));
                    endLine(out);
                }
                history.add(r.message());
            }
        }
        return 0;
    }
}

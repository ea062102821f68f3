package io.autoglm.examples;

import io.autoglm.AutoGLM;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.LanguageModel;
import io.autoglm.TokenStream;

/**
 * The core API without any framework: chat, stream and embed with one in-process model (the snippet of
 * docs/frameworks.md that shows the core-only setup).
 *
 * <pre>{@code java -cp autoglm-examples/target/autoglm.jar io.autoglm.examples.ChatQuickstart ../shared/models/stories260K.gguf}</pre>
 */
public final class ChatQuickstart {
    private ChatQuickstart() {
    }

    /**
     * @param model a GGUF file or model reference such as {@code stories260k}
     * @return the reply, the streamed text and the embedding length, one per line
     */
    public static String run(String model) {
        try (LanguageModel llm = AutoGLM.builder().model(model).chatTemplate("chatml").contextSize(512).build()) {
            ChatResponse reply = llm.chat(ChatRequest.builder()
                    .message(ChatMessage.system("You tell short stories."))
                    .message(ChatMessage.user("Tell me about a cat."))
                    .maxTokens(32).build());
            StringBuilder streamed = new StringBuilder();
            try (TokenStream s = llm.streamChat(ChatRequest.builder().message(ChatMessage.user("And a dog?")).maxTokens(16).build())) {
                s.forEachRemaining(chunk -> streamed.append(chunk.text()));
            }
            float[] vector = llm.embed("a cat");
            return reply.text() + "\n" + streamed + "\n" + vector.length;
        }
    }

    /** @param args the model (a path or a reference) */
    public static void main(String[] args) {
        System.out.println(run(args.length > 0 ? args[0] : "stories260k"));
    }
}

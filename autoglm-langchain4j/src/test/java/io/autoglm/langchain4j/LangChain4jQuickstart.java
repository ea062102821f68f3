package io.autoglm.langchain4j;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.service.AiServices;
import io.autoglm.AutoGLM;
import io.autoglm.LanguageModel;

/** The example of docs/frameworks.md: a chat model, an AI service with a tool, and embeddings (run by its test). */
public final class LangChain4jQuickstart {
    interface Assistant {
        String chat(String message);
    }

    static class Calculator {
        @Tool("Adds two whole numbers")
        long add(long a, long b) {
            return a + b;
        }
    }

    static String run(String modelReference) {
        try (LanguageModel llm = AutoGLM.builder().model(modelReference).contextSize(1024).threads(1).build()) {
            ChatModel chat = AutoGlmChatModel.builder(llm)
                    .chatTemplate("chatml")                                 // stories260k has no template of its own
                    .autoToolChoice(AutoToolChoice.CALL_THEN_ANSWER)        // small model: call the tool, then answer
                    .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(100).build())
                    .build();
            String story = chat.chat("Tell me a story.");

            Assistant assistant = AiServices.builder(Assistant.class).chatModel(chat).tools(new Calculator()).build();
            String answer = assistant.chat("What is 2 plus 3?");            // the model calls add(...) first

            EmbeddingModel embeddings = AutoGlmEmbeddingModel.builder(llm).build();
            int dimension = embeddings.embed("a cat").content().dimension();
            return story + "\n" + answer + "\n" + dimension;
        }
    }

    private LangChain4jQuickstart() {
    }
}

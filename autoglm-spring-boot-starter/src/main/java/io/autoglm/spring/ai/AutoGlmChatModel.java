package io.autoglm.spring.ai;

import io.autoglm.ChatMessage;
import io.autoglm.LanguageModel;
import io.autoglm.SamplingParams;
import io.autoglm.Usage;
import io.autoglm.grammar.JsonGrammars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A Spring AI {@link ChatModel} over an in-process AutoGLM {@link LanguageModel}.
 *
 * <p>System, user (text only), assistant and tool-response messages map to the model's chat template.
 * Options are the model's defaults ({@link #getOptions()}) combined with the prompt's; Spring AI's
 * portable options map to the sampler (temperature 0 = greedy, the default) and
 * {@link AutoGlmChatOptions} adds seed, min-p, repetition penalty and the chat template. A prompt whose
 * options carry an output schema ({@code ChatClient}'s native structured output) is answered under a
 * grammar compiled from that schema, so the JSON always matches it. {@link #stream(Prompt)} emits one
 * {@link ChatResponse} per piece of text and a last one with the finish reason and usage; cancelling
 * the subscription stops the generation. Tool calling is not offered by this adapter yet.
 *
 * <p>Thread-safe; it does not own the {@code LanguageModel}.
 *
 * <pre>{@code
 * ChatModel chat = new AutoGlmChatModel(llm, AutoGlmChatOptions.builder().chatTemplate("chatml").maxTokens(64).build());
 * String story = ChatClient.create(chat).prompt().user("Tell me a story.").call().content();
 * }</pre>
 */
public class AutoGlmChatModel implements ChatModel {
    private static final ThreadFactory STREAM_THREADS = Thread.ofVirtual().name("autoglm-flux-", 0).factory();

    private final LanguageModel model;
    private final AutoGlmChatOptions defaults;
    private final String modelName;

    /**
     * @param model the loaded model (not closed by this adapter)
     * @param defaults the options every prompt starts from
     */
    public AutoGlmChatModel(LanguageModel model, AutoGlmChatOptions defaults) {
        this.model = Objects.requireNonNull(model, "model");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.modelName = defaults.getModel() != null ? defaults.getModel() : model.info().name();
    }

    /** @param model the loaded model, with default options (greedy, the model's own chat template) */
    public AutoGlmChatModel(LanguageModel model) {
        this(model, AutoGlmChatOptions.builder().build());
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        io.autoglm.ChatRequest request = toRequest(prompt);
        io.autoglm.ChatResponse result = model.chat(request);
        AssistantMessage message = new AssistantMessage(result.text());
        return new ChatResponse(List.of(new Generation(message, finish(result.finishReason()))), metadata(result.usage()));
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        io.autoglm.ChatRequest request = toRequest(prompt);
        return Flux.create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onDispose(() -> cancelled.set(true));
            STREAM_THREADS.newThread(() -> run(request, sink, cancelled)).start();
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    private void run(io.autoglm.ChatRequest request, FluxSink<ChatResponse> sink, AtomicBoolean cancelled) {
        String id = newId();
        try {
            io.autoglm.ChatResponse result = model.chat(request, chunk -> {
                if (cancelled.get()) {
                    return false;
                }
                if (!chunk.text().isEmpty()) {
                    sink.next(new ChatResponse(List.of(new Generation(new AssistantMessage(chunk.text()))),
                            ChatResponseMetadata.builder().id(id).model(modelName).build()));
                }
                return !cancelled.get();
            });
            if (cancelled.get()) {
                return;
            }
            ChatResponseMetadata last = ChatResponseMetadata.builder().id(id).model(modelName).usage(usage(result.usage())).build();
            sink.next(new ChatResponse(List.of(new Generation(new AssistantMessage(""), finish(result.finishReason()))), last));
            sink.complete();
        } catch (RuntimeException e) {
            sink.error(e);
        }
    }

    @Override
    public AutoGlmChatOptions getOptions() {
        return defaults;
    }

    /** @return the model this adapter talks to */
    public LanguageModel languageModel() {
        return model;
    }

    @Override
    public String toString() {
        return "AutoGlmChatModel[" + modelName + "]";
    }

    private io.autoglm.ChatRequest toRequest(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        AutoGlmChatOptions o = effectiveOptions(prompt.getOptions());
        List<ChatMessage> messages = new ArrayList<>();
        List<Message> instructions = prompt.getInstructions();
        for (int i = 0; i < instructions.size(); i++) {
            Message m = instructions.get(i);
            switch (m) {
                case SystemMessage s -> messages.add(ChatMessage.system(text(s.getText())));
                case UserMessage u -> {
                    if (!u.getMedia().isEmpty()) {
                        throw new UnsupportedOperationException("prompt message " + i + " holds media; AutoGLM chat models take text only");
                    }
                    messages.add(ChatMessage.user(text(u.getText())));
                }
                case AssistantMessage a -> messages.add(ChatMessage.assistant(text(a.getText())));
                case ToolResponseMessage t -> t.getResponses().forEach(r -> messages.add(new ChatMessage("tool", text(r.responseData()))));
                default -> throw new UnsupportedOperationException("prompt message " + i + " is a " + m.getMessageType()
                        + " message; AutoGLM chat models take system, user, assistant and tool messages");
            }
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("prompt has no messages");
        }
        io.autoglm.ChatRequest.Builder b = io.autoglm.ChatRequest.builder().messages(messages).chatTemplate(o.getChatTemplate())
                .sampling(sampling(o));
        if (o.getMaxTokens() != null) {
            if (o.getMaxTokens() < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + o.getMaxTokens());
            }
            b.maxTokens(o.getMaxTokens());
        }
        if (o.getStopSequences() != null) {
            b.stop(o.getStopSequences());
        }
        if (o.getOutputSchema() != null && !o.getOutputSchema().isBlank()) {
            b.grammar(JsonGrammars.forSchema(o.getOutputSchema()));
        }
        return b.build();
    }

    private AutoGlmChatOptions effectiveOptions(ChatOptions requested) {
        if (requested == null) {
            return defaults;
        }
        if (requested instanceof AutoGlmChatOptions a && requested != defaults && a.equals(defaults)) {
            return a;
        }
        return defaults.mutate().combineWith(requested.mutate()).build();
    }

    private static SamplingParams sampling(AutoGlmChatOptions o) {
        double t = o.getTemperature() == null ? 0 : o.getTemperature();
        SamplingParams.Builder b = SamplingParams.builder().temperature((float) t);
        if (o.getTopP() != null) {
            b.topP(o.getTopP().floatValue());
        }
        if (o.getTopK() != null) {
            b.topK(o.getTopK());
        }
        if (o.getFrequencyPenalty() != null) {
            b.frequencyPenalty(o.getFrequencyPenalty().floatValue());
        }
        if (o.getPresencePenalty() != null) {
            b.presencePenalty(o.getPresencePenalty().floatValue());
        }
        if (o.getSeed() != null) {
            b.seed(o.getSeed());
        }
        if (o.getMinP() != null) {
            b.minP(o.getMinP().floatValue());
        }
        if (o.getRepeatPenalty() != null) {
            b.repeatPenalty(o.getRepeatPenalty().floatValue());
        }
        return b.build();
    }

    private ChatResponseMetadata metadata(Usage u) {
        return ChatResponseMetadata.builder().id(newId()).model(modelName).usage(usage(u))
                .keyValue("cached-prompt-tokens", u.cachedPromptTokens()).build();
    }

    private static DefaultUsage usage(Usage u) {
        return new DefaultUsage(u.promptTokens(), u.completionTokens(), u.totalTokens());
    }

    private static ChatGenerationMetadata finish(io.autoglm.FinishReason r) {
        return ChatGenerationMetadata.builder().finishReason(switch (r) {
            case STOP, END_OF_GENERATION -> "STOP";
            case LENGTH -> "LENGTH";
            case CANCELLED -> "CANCELLED";
        }).metadata(Map.of()).build();
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static String newId() {
        return "autoglm-" + UUID.randomUUID();
    }
}

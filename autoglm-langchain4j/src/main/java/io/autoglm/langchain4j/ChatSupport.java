package io.autoglm.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.autoglm.ChatMessage;
import io.autoglm.ContextOverflowException;
import io.autoglm.LanguageModel;
import io.autoglm.RequestRejectedException;
import io.autoglm.SamplingParams;
import io.autoglm.Usage;
import io.autoglm.grammar.InvalidToolCallException;
import io.autoglm.grammar.Json;
import io.autoglm.grammar.JsonGrammars;
import io.autoglm.grammar.ToolCall;
import io.autoglm.grammar.ToolCallGrammar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What the chat adapters share: their settings, the translation of a LangChain4j request into an
 * AutoGLM one (messages, sampling, the grammar for tools and response formats), and of the result back.
 */
final class ChatSupport {
    /** How the output of one request is to be read. */
    enum Mode {
        /** Plain text. */
        TEXT,
        /** JSON under a response-format grammar. */
        JSON,
        /** One or more tool calls, forced by the grammar. */
        TOOLS,
        /** Tool calls or an answer (text or JSON), the model's choice. */
        TOOLS_OR_ANSWER
    }

    /**
     * A request ready for the model.
     *
     * @param request the AutoGLM request
     * @param mode how to read the output
     * @param tools the tool-call grammar and parser, null unless tools are offered
     * @param jsonAnswer true when an answer must be JSON (a response format)
     */
    record Prepared(io.autoglm.ChatRequest request, Mode mode, ToolCallGrammar tools, boolean jsonAnswer) {
    }

    private final LanguageModel model;
    private final String chatTemplate;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final String modelName;
    private final AutoToolChoice autoToolChoice;
    private final int maxToolCalls;
    private final String toolResultRole;

    private ChatSupport(Settings s) {
        this.model = s.model;
        this.chatTemplate = s.chatTemplate;
        this.defaults = s.defaults;
        this.listeners = List.copyOf(s.listeners);
        this.modelName = s.modelName != null ? s.modelName : s.model.info().name();
        this.autoToolChoice = s.autoToolChoice;
        this.maxToolCalls = s.maxToolCalls;
        this.toolResultRole = s.toolResultRole;
    }

    LanguageModel model() {
        return model;
    }

    ChatRequestParameters defaults() {
        return defaults;
    }

    List<ChatModelListener> listeners() {
        return listeners;
    }

    String modelName() {
        return modelName;
    }

    Set<Capability> capabilities() {
        return model.info().supports(io.autoglm.Capability.GRAMMAR) ? Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA) : Set.of();
    }

    /**
     * @param request a LangChain4j request whose parameters are already merged with the defaults
     * @return the AutoGLM request and how to read its output
     */
    Prepared prepare(dev.langchain4j.model.chat.request.ChatRequest request) {
        Objects.requireNonNull(request, "chatRequest");
        ChatRequestParameters p = request.parameters();
        List<dev.langchain4j.data.message.ChatMessage> messages = request.messages();
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("chatRequest.messages must not be empty");
        }
        List<ToolSpecification> specs = p.toolSpecifications() == null ? List.of() : p.toolSpecifications();
        ToolChoice choice = p.toolChoice() == null ? ToolChoice.AUTO : p.toolChoice();
        if (choice == ToolChoice.REQUIRED && specs.isEmpty()) {
            throw new IllegalArgumentException("toolChoice REQUIRED needs at least one tool specification, none given");
        }
        String answerGrammar = answerGrammar(p.responseFormat());
        boolean offerTools = !specs.isEmpty() && choice != ToolChoice.NONE;
        boolean forced = choice == ToolChoice.REQUIRED;
        if (offerTools && choice == ToolChoice.AUTO && autoToolChoice == AutoToolChoice.CALL_THEN_ANSWER) {
            boolean answered = toolResultsSinceLastUserMessage(messages);
            offerTools = !answered;
            forced = !answered;
        }

        ToolCallGrammar tools = null;
        Mode mode;
        String grammar;
        if (offerTools) {
            tools = toolGrammar(specs);
            if (forced) {
                mode = Mode.TOOLS;
                grammar = tools.grammar();
            } else {
                mode = Mode.TOOLS_OR_ANSWER;
                grammar = Gbnf.either(tools.grammar(), answerGrammar != null ? answerGrammar : Gbnf.FREE_TEXT);
            }
        } else {
            mode = answerGrammar != null ? Mode.JSON : Mode.TEXT;
            grammar = answerGrammar;
        }

        List<ChatMessage> mapped = mapMessages(messages);
        if (offerTools) {
            addInstructions(mapped, toolInstructions(specs, mode, answerGrammar != null));
        }
        io.autoglm.ChatRequest.Builder b = io.autoglm.ChatRequest.builder()
                .messages(mapped)
                .chatTemplate(chatTemplate)
                .sampling(sampling(p))
                .grammar(grammar);
        if (p.maxOutputTokens() != null) {
            if (p.maxOutputTokens() < 1) {
                throw new IllegalArgumentException("maxOutputTokens must be >= 1, was " + p.maxOutputTokens());
            }
            b.maxTokens(p.maxOutputTokens());
        }
        if (p.stopSequences() != null) {
            b.stop(p.stopSequences());
        }
        return new Prepared(b.build(), mode, tools, answerGrammar != null);
    }

    /** @return the LangChain4j response for a finished generation, tool calls named with {@code ids} where given */
    ChatResponse toResponse(Prepared prepared, io.autoglm.ChatResponse result, List<String> ids) {
        String text = result.text();
        AiMessage message;
        FinishReason finish = finishReason(result.finishReason());
        List<ToolExecutionRequest> calls = toolCalls(prepared, text, result.finishReason(), ids);
        if (calls != null) {
            message = AiMessage.from(calls);
            finish = FinishReason.TOOL_EXECUTION;
        } else {
            message = AiMessage.from(prepared.mode() == Mode.TOOLS_OR_ANSWER ? text.stripLeading() : text);
        }
        Usage u = result.usage();
        return ChatResponse.builder()
                .aiMessage(message)
                .metadata(ChatResponseMetadata.builder()
                        .id("autoglm-" + UUID.randomUUID())
                        .modelName(modelName)
                        .tokenUsage(new TokenUsage(u.promptTokens(), u.completionTokens(), u.totalTokens()))
                        .finishReason(finish)
                        .build())
                .build();
    }

    /**
     * @return the tool calls in {@code text}, or null when the output is an answer
     * @throws InvalidRequestException when tool-call output is cut off or malformed
     */
    List<ToolExecutionRequest> toolCalls(Prepared prepared, String text, io.autoglm.FinishReason finish, List<String> ids) {
        String s = text.strip();
        if (prepared.mode() == Mode.TEXT || prepared.mode() == Mode.JSON) {
            return null;
        }
        boolean looksLikeCall = s.startsWith("{") || s.startsWith("[");
        if (prepared.mode() == Mode.TOOLS_OR_ANSWER && !looksLikeCall) {
            return null;
        }
        List<ToolCall> parsed;
        try {
            parsed = prepared.tools().parse(s);
        } catch (InvalidToolCallException e) {
            if (prepared.mode() == Mode.TOOLS_OR_ANSWER && prepared.jsonAnswer() && !e.truncated()) {
                return null; // a JSON answer, not a call
            }
            if (e.truncated() || finish == io.autoglm.FinishReason.LENGTH) {
                throw new InvalidRequestException("the model's tool call was cut off after " + prepared.request().options().maxTokens()
                        + " tokens (maxOutputTokens): raise maxOutputTokens, or bound the tool's string and array "
                        + "parameters (maxLength, maxItems)", e);
            }
            if (finish == io.autoglm.FinishReason.CANCELLED) {
                throw new InvalidRequestException("the generation was cancelled before the tool call was complete", e);
            }
            throw new InvalidRequestException("the model wrote an invalid tool call: " + e.getMessage(), e);
        }
        List<ToolExecutionRequest> out = new ArrayList<>(parsed.size());
        for (int i = 0; i < parsed.size(); i++) {
            ToolCall c = parsed.get(i);
            String id = ids != null && i < ids.size() && ids.get(i) != null ? ids.get(i) : newCallId();
            out.add(ToolExecutionRequest.builder().id(id).name(c.name()).arguments(c.argumentsJson()).build());
        }
        return out;
    }

    static String newCallId() {
        return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** Maps the exceptions of the model to LangChain4j's where LangChain4j has one for the case. */
    static RuntimeException translate(RuntimeException e) {
        if (e instanceof ContextOverflowException) {
            return new InvalidRequestException(e.getMessage(), e);
        }
        if (e instanceof RequestRejectedException) {
            return new RateLimitException(e.getMessage(), e);
        }
        return e;
    }

    static FinishReason finishReason(io.autoglm.FinishReason r) {
        return switch (r) {
            case STOP, END_OF_GENERATION -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }

    private static String answerGrammar(ResponseFormat format) {
        if (format == null || format.type() != ResponseFormatType.JSON) {
            return null;
        }
        JsonSchema schema = format.jsonSchema();
        if (schema == null || schema.rootElement() == null) {
            return JsonGrammars.anyJsonObject();
        }
        return JsonGrammars.forSchema(SchemaMaps.toMap(schema.rootElement()));
    }

    private ToolCallGrammar toolGrammar(List<ToolSpecification> specs) {
        ToolCallGrammar.Builder b = ToolCallGrammar.builder().maxCalls(maxToolCalls);
        for (ToolSpecification spec : specs) {
            b.tool(spec.name(), spec.parameters() == null ? null : SchemaMaps.toMap(spec.parameters()));
        }
        return b.build();
    }

    private static boolean toolResultsSinceLastUserMessage(List<dev.langchain4j.data.message.ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            dev.langchain4j.data.message.ChatMessage m = messages.get(i);
            if (m instanceof ToolExecutionResultMessage) {
                return true;
            }
            if (m instanceof UserMessage) {
                return false;
            }
        }
        return false;
    }

    private List<ChatMessage> mapMessages(List<dev.langchain4j.data.message.ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size() + 1);
        for (int i = 0; i < messages.size(); i++) {
            dev.langchain4j.data.message.ChatMessage m = Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
            out.add(switch (m) {
                case SystemMessage s -> ChatMessage.system(s.text());
                case UserMessage u -> ChatMessage.user(userText(u, i));
                case AiMessage a -> ChatMessage.assistant(assistantText(a));
                case ToolExecutionResultMessage t -> new ChatMessage(toolResultRole, t.text() == null ? "" : t.text());
                default -> throw new UnsupportedFeatureException("messages[" + i + "] is a " + m.type()
                        + " message; AutoGLM chat models take system, user, AI and tool execution result messages");
            });
        }
        return out;
    }

    private static String userText(UserMessage u, int index) {
        StringBuilder text = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException("messages[" + index + "] holds " + c.type()
                        + " content; AutoGLM chat models take text only");
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(t.text());
        }
        return text.toString();
    }

    /** An earlier assistant turn: its text, then its tool calls written as the model writes them. */
    private static String assistantText(AiMessage a) {
        String text = a.text() == null ? "" : a.text();
        if (!a.hasToolExecutionRequests()) {
            return text;
        }
        List<Object> calls = new ArrayList<>();
        for (ToolExecutionRequest r : a.toolExecutionRequests()) {
            Object args = r.arguments() == null || r.arguments().isBlank() ? Map.of() : Json.parse(r.arguments());
            calls.add(Map.of("name", r.name(), "arguments", args));
        }
        String json = calls.size() == 1 ? callJson(calls.getFirst()) : Json.write(calls);
        return text.isBlank() ? json : text + "\n" + json;
    }

    @SuppressWarnings("unchecked")
    private static String callJson(Object call) {
        Map<String, Object> m = (Map<String, Object>) call;
        // name first, as the grammar writes it
        return "{\"name\":" + Json.write(m.get("name")) + ",\"arguments\":" + Json.write(m.get("arguments")) + "}";
    }

    private String toolInstructions(List<ToolSpecification> specs, Mode mode, boolean jsonAnswer) {
        StringBuilder s = new StringBuilder("You can call these tools (name: what it does; JSON Schema of its arguments):\n");
        for (ToolSpecification spec : specs) {
            s.append("- ").append(spec.name());
            if (spec.description() != null && !spec.description().isBlank()) {
                s.append(": ").append(spec.description().strip());
            }
            s.append("; arguments: ")
                    .append(spec.parameters() == null ? "{}" : Json.write(SchemaMaps.toMap(spec.parameters())))
                    .append('\n');
        }
        s.append("To call a tool, reply with only a JSON object {\"name\": \"<tool name>\", \"arguments\": {...}}.");
        if (maxToolCalls > 1) {
            s.append(" To call several tools at once, reply with a JSON array of up to ").append(maxToolCalls)
                    .append(" such objects.");
        }
        if (mode == Mode.TOOLS_OR_ANSWER) {
            s.append(jsonAnswer ? " If no tool is needed, answer with the JSON asked for." : " If no tool is needed, answer in plain text.");
        }
        return s.toString();
    }

    private static void addInstructions(List<ChatMessage> messages, String instructions) {
        if (!messages.isEmpty() && messages.getFirst().role().equals("system")) {
            String existing = messages.getFirst().content();
            messages.set(0, ChatMessage.system(existing.isBlank() ? instructions : existing + "\n\n" + instructions));
        } else {
            messages.addFirst(ChatMessage.system(instructions));
        }
    }

    private static SamplingParams sampling(ChatRequestParameters p) {
        double temperature = p.temperature() == null ? 0 : p.temperature();
        SamplingParams.Builder b = SamplingParams.builder().temperature((float) temperature);
        if (p.topP() != null) {
            b.topP(p.topP().floatValue());
        }
        if (p.topK() != null) {
            b.topK(p.topK());
        }
        if (p.frequencyPenalty() != null) {
            b.frequencyPenalty(p.frequencyPenalty().floatValue());
        }
        if (p.presencePenalty() != null) {
            b.presencePenalty(p.presencePenalty().floatValue());
        }
        if (p instanceof AutoGlmChatRequestParameters a) {
            if (a.seed() != null) {
                b.seed(a.seed());
            }
            if (a.minP() != null) {
                b.minP(a.minP().floatValue());
            }
            if (a.repeatPenalty() != null) {
                b.repeatPenalty(a.repeatPenalty().floatValue());
            }
        }
        return b.build();
    }

    /** The settings both chat models' builders collect. */
    static final class Settings {
        final LanguageModel model;
        String chatTemplate;
        ChatRequestParameters defaults = dev.langchain4j.model.chat.request.DefaultChatRequestParameters.EMPTY;
        List<ChatModelListener> listeners = List.of();
        String modelName;
        AutoToolChoice autoToolChoice = AutoToolChoice.MODEL_DECIDES;
        int maxToolCalls = 1;
        String toolResultRole = "tool";

        Settings(LanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        void chatTemplate(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("chatTemplate must not be blank");
            }
            chatTemplate = v;
        }

        void defaults(ChatRequestParameters v) {
            defaults = Objects.requireNonNull(v, "defaultRequestParameters");
        }

        void listeners(List<ChatModelListener> v) {
            Objects.requireNonNull(v, "listeners");
            for (int i = 0; i < v.size(); i++) {
                Objects.requireNonNull(v.get(i), "listeners[" + i + "]");
            }
            listeners = List.copyOf(v);
        }

        void modelName(String v) {
            if (v != null && v.isBlank()) {
                throw new IllegalArgumentException("modelName must not be blank");
            }
            modelName = v;
        }

        void autoToolChoice(AutoToolChoice v) {
            autoToolChoice = Objects.requireNonNull(v, "autoToolChoice");
        }

        void maxToolCalls(int v) {
            if (v < 1 || v > ToolCallGrammar.MAX_CALLS_LIMIT) {
                throw new IllegalArgumentException("maxToolCalls must be between 1 and " + ToolCallGrammar.MAX_CALLS_LIMIT
                        + ", was " + v);
            }
            maxToolCalls = v;
        }

        void toolResultRole(String v) {
            Objects.requireNonNull(v, "toolResultRole");
            if (v.isBlank()) {
                throw new IllegalArgumentException("toolResultRole must not be blank");
            }
            toolResultRole = v;
        }

        ChatSupport build() {
            return new ChatSupport(this);
        }
    }
}

package io.autoglm.server.openai;

import io.autoglm.Capability;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.ContextOverflowException;
import io.autoglm.FinishReason;
import io.autoglm.GenerationOptions;
import io.autoglm.LanguageModel;
import io.autoglm.RequestRejectedException;
import io.autoglm.SamplingParams;
import io.autoglm.TokenChunk;
import io.autoglm.TokenListener;
import io.autoglm.TokenLogprob;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maps OpenAI requests onto {@link LanguageModel} calls and their results back onto OpenAI answers
 * and stream chunks. Knows nothing of HTTP: a transport parses a body with {@link RequestParser},
 * picks the model, {@code prepare}s the request, runs it as a {@link Generation}, and writes what
 * this class builds. Thread-safe and stateless apart from its options.
 *
 * <pre>{@code
 * OpenAiService service = OpenAiService.builder().build();
 * ChatCompletionRequest req = RequestParser.chat(RequestParser.readObject(body));
 * OpenAiService.PreparedChat chat = service.prepareChat(req, "stories", model, "chatml");
 * ChatCompletion answer = service.chat(chat, 60_000);
 * }</pre>
 */
public final class OpenAiService {
    /** The {@code system_fingerprint} of every answer. */
    public static final String FINGERPRINT = "fp_autoglm_0_1";
    private static final long SEED_MODULUS = 0xFFFFFFFFL; // SamplingParams accepts [0, 2^32 - 2]

    private final SchemaCompiler schemaCompiler;
    private final int maxPromptTokens;

    private OpenAiService(Builder b) {
        this.schemaCompiler = b.schemaCompiler;
        this.maxPromptTokens = b.maxPromptTokens;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of the mapping. */
    public static final class Builder {
        private SchemaCompiler schemaCompiler = SchemaCompiler.standard();
        private int maxPromptTokens;

        private Builder() {
        }

        /** @param v compiles JSON Schemas ({@code response_format}, forced tool calls) into grammars @return this */
        public Builder schemaCompiler(SchemaCompiler v) {
            schemaCompiler = Objects.requireNonNull(v, "schemaCompiler");
            return this;
        }

        /** @param v most prompt tokens a request may have, &gt;= 0; 0 = only the model's context limits it @return this */
        public Builder maxPromptTokens(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxPromptTokens must be >= 0, was " + v);
            }
            maxPromptTokens = v;
            return this;
        }

        /** @return the service */
        public OpenAiService build() {
            return new OpenAiService(this);
        }
    }

    // ---- chat ------------------------------------------------------------------------------

    /**
     * A chat request checked against its model and turned into one {@link ChatRequest} per choice.
     *
     * @param request the OpenAI request
     * @param modelId the model's id (as answers name it)
     * @param model the model
     * @param choices one core request per choice
     * @param collectTools true when the reply may be a tool call (content is held until the end)
     * @param toolNames names of the request's tools
     * @param id the answer's id
     * @param created the answer's creation time, Unix seconds
     */
    public record PreparedChat(ChatCompletionRequest request, String modelId, LanguageModel model, List<ChatRequest> choices,
            boolean collectTools, Set<String> toolNames, String id, long created) {
        /** @return the number of choices */
        public int n() {
            return choices.size();
        }

        /**
         * @param choice the choice index
         * @param listener receives its chunks
         * @return its completion
         */
        public Completion run(int choice, TokenListener listener) {
            return model.chat(choices.get(choice), listener).completion();
        }
    }

    /**
     * @param r the request
     * @param modelId the model's id
     * @param model the model
     * @param chatTemplate the template for a model without its own (or to override it), or null
     * @return the prepared request
     * @throws OpenAiException 400 when the request does not fit the model
     */
    public PreparedChat prepareChat(ChatCompletionRequest r, String modelId, LanguageModel model, String chatTemplate) {
        GenerationParams p = r.params();
        checkFeatures(p, model);
        List<ChatMessage> messages = new ArrayList<>();
        boolean toolsInPrompt = !r.tools().isEmpty() && r.toolChoice().mode() != ChatCompletionRequest.ToolChoice.Mode.NONE;
        if (toolsInPrompt) {
            List<ChatCompletionRequest.Tool> offered = r.toolChoice().mode() == ChatCompletionRequest.ToolChoice.Mode.NAMED
                    ? r.tools().stream().filter(t -> t.name().equals(r.toolChoice().name())).toList() : r.tools();
            String tools = ToolCalls.systemPrompt(offered);
            if (!r.messages().isEmpty() && "system".equals(r.messages().get(0).role())) {
                messages.add(ChatMessage.system(r.messages().get(0).content() + "\n\n" + tools));
            } else {
                messages.add(ChatMessage.system(tools));
            }
        }
        for (int i = 0; i < r.messages().size(); i++) {
            ChatCompletionRequest.Message m = r.messages().get(i);
            if (toolsInPrompt && i == 0 && "system".equals(m.role())) {
                continue;
            }
            String content = m.content() == null ? "" : m.content();
            if (!m.toolCalls().isEmpty()) {
                StringBuilder sb = new StringBuilder(content);
                m.toolCalls().forEach(c -> sb.append(sb.isEmpty() ? "" : "\n").append(ToolCalls.render(c)));
                content = sb.toString();
            }
            messages.add(new ChatMessage(m.role(), content));
        }
        String grammar = switch (r.responseFormat().type()) {
            case TEXT -> null;
            case JSON_OBJECT -> io.autoglm.grammar.JsonGrammars.anyJsonObject();
            case JSON_SCHEMA -> compile(r.responseFormat().schema(), "response_format.json_schema.schema");
        };
        ChatCompletionRequest.ToolChoice.Mode mode = r.toolChoice().mode();
        if (mode == ChatCompletionRequest.ToolChoice.Mode.REQUIRED || mode == ChatCompletionRequest.ToolChoice.Mode.NAMED) {
            List<ChatCompletionRequest.Tool> callable = mode == ChatCompletionRequest.ToolChoice.Mode.NAMED
                    ? r.tools().stream().filter(t -> t.name().equals(r.toolChoice().name())).toList() : r.tools();
            grammar = compile(ToolCalls.callSchema(callable), "tools");
        }
        int context = model.info().contextSize();
        if (p.maxTokens() != null && p.maxTokens() > context) {
            throw OpenAiException.invalid(p.maxTokens() != null ? "max_tokens" : null, "max_tokens must be <= " + context
                    + " (the context size of model " + modelId + "), was " + p.maxTokens());
        }
        if (maxPromptTokens > 0) {
            int n = promptTokens(() -> model.tokenize(model.applyChatTemplate(messages, chatTemplate, true)).length);
            if (n > maxPromptTokens) {
                throw OpenAiException.invalid("messages", "the prompt has " + n + " tokens, more than this server's limit of "
                        + maxPromptTokens);
            }
        }
        long baseSeed = p.seed() != null ? Math.floorMod(p.seed(), SEED_MODULUS) : ThreadLocalRandom.current().nextLong(SEED_MODULUS);
        List<ChatRequest> choices = new ArrayList<>(p.n());
        for (int i = 0; i < p.n(); i++) {
            ChatRequest.Builder b = ChatRequest.builder().messages(messages);
            if (chatTemplate != null) {
                b.chatTemplate(chatTemplate);
            }
            apply(b, p, (baseSeed + i) % SEED_MODULUS, context, grammar);
            choices.add(b.build());
        }
        Set<String> names = new LinkedHashSet<>();
        r.tools().forEach(t -> names.add(t.name()));
        return new PreparedChat(r, modelId, model, choices, toolsInPrompt, names, "chatcmpl-" + randomId(), nowSeconds());
    }

    /**
     * Runs a prepared chat to its end on the calling thread (for transports without streaming).
     *
     * @param chat the prepared request
     * @param timeoutMillis most time to wait; the generation is cancelled after it
     * @return the answer
     * @throws OpenAiException for failures, 504 on timeout
     */
    public ChatCompletion chat(PreparedChat chat, long timeoutMillis) {
        Completion[] done = new Completion[chat.n()];
        try (Generation g = Generation.start(chat.n(), false, 1, chat::run)) {
            RuntimeException failure = g.drain(System.nanoTime() + timeoutMillis * 1_000_000L, chat.n(), e -> switch (e) {
                case Generation.Done d -> {
                    done[d.choice()] = d.completion();
                    yield null;
                }
                case Generation.Failed f -> f.error();
                case Generation.Token t -> null;
            });
            if (failure != null) {
                throw toOpenAi(failure, "messages");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OpenAiException.unavailable("interrupted", "the request was interrupted");
        } catch (java.util.concurrent.TimeoutException e) {
            throw timeout(timeoutMillis);
        }
        return chatResult(chat, done);
    }

    /**
     * @param timeoutMillis the limit that passed
     * @return a 504 {@code timeout}
     */
    public static OpenAiException timeout(long timeoutMillis) {
        return new OpenAiException(504, "timeout_error", null, "request_timeout",
                "the request took longer than this server's limit of " + timeoutMillis + " ms and was cancelled", 0);
    }

    /**
     * @param chat the prepared request
     * @param completions the completion of every choice
     * @return the answer
     */
    public ChatCompletion chatResult(PreparedChat chat, Completion[] completions) {
        List<ChatCompletion.Choice> choices = new ArrayList<>(completions.length);
        for (int i = 0; i < completions.length; i++) {
            Completion c = completions[i];
            List<ChatCompletion.ToolCall> calls = chat.collectTools() ? ToolCalls.parse(c.text(), chat.toolNames(),
                    "call_" + chat.id().substring(9, 17) + i + "_") : List.of();
            ChatCompletion.Message msg = calls.isEmpty() ? new ChatCompletion.Message("assistant", c.text(), null, null)
                    : new ChatCompletion.Message("assistant", null, null, calls);
            String finish = calls.isEmpty() ? finishReason(c.finishReason()) : "tool_calls";
            choices.add(new ChatCompletion.Choice(i, msg, chatLogprobs(c), finish));
        }
        return new ChatCompletion(chat.id(), "chat.completion", chat.created(), chat.modelId(), choices, usage(completions),
                FINGERPRINT);
    }

    /**
     * @param chat the prepared request
     * @return a stateful mapper from the generation's events to stream chunks (one per request)
     */
    public ChatStreamer chatStreamer(PreparedChat chat) {
        return new ChatStreamer(chat);
    }

    /** Turns the events of one streamed chat into chunks; not thread-safe (one reader). */
    public final class ChatStreamer {
        private final PreparedChat chat;
        private final boolean[] started;
        private final StringBuilder[] held;
        private final Completion[] done;
        private int ended;

        private ChatStreamer(PreparedChat chat) {
            this.chat = chat;
            this.started = new boolean[chat.n()];
            this.held = new StringBuilder[chat.n()];
            this.done = new Completion[chat.n()];
        }

        /**
         * @param e an event of the generation
         * @param out receives the chunks to send, in order
         */
        public void onEvent(Generation.Event e, List<ChatCompletionChunk> out) {
            int i = e.choice();
            switch (e) {
                case Generation.Token t -> {
                    start(i, out);
                    TokenChunk c = t.chunk();
                    if (chat.collectTools()) {
                        held[i].append(c.text());
                    } else if (!c.text().isEmpty() || c.logprobs().isPresent()) {
                        ChatCompletion.Logprobs lp = c.logprobs().map(l -> new ChatCompletion.Logprobs(List.of(entry(l)), null))
                                .orElse(null);
                        out.add(chunk(i, new ChatCompletionChunk.Delta(null, c.text(), null), lp, null));
                    }
                }
                case Generation.Done d -> {
                    start(i, out);
                    done[i] = d.completion();
                    ended++;
                    String finish = finishReason(d.completion().finishReason());
                    if (chat.collectTools()) {
                        List<ChatCompletion.ToolCall> calls = ToolCalls.parse(d.completion().text(), chat.toolNames(),
                                "call_" + chat.id().substring(9, 17) + i + "_");
                        if (calls.isEmpty()) {
                            if (!d.completion().text().isEmpty()) {
                                out.add(chunk(i, new ChatCompletionChunk.Delta(null, d.completion().text(), null), null, null));
                            }
                        } else {
                            List<ChatCompletionChunk.ToolCallDelta> deltas = new ArrayList<>();
                            for (int k = 0; k < calls.size(); k++) {
                                ChatCompletion.ToolCall c = calls.get(k);
                                deltas.add(new ChatCompletionChunk.ToolCallDelta(k, c.id(), "function", c.function()));
                            }
                            out.add(chunk(i, new ChatCompletionChunk.Delta(null, null, deltas), null, null));
                            finish = "tool_calls";
                        }
                    }
                    out.add(chunk(i, new ChatCompletionChunk.Delta(null, null, null), null, finish));
                }
                case Generation.Failed f -> throw toOpenAi(f.error(), "messages");
            }
        }

        /** @return true when every choice ended */
        public boolean finished() {
            return ended == chat.n();
        }

        /**
         * @return the final usage chunk (send it when {@code stream_options.include_usage} was asked)
         */
        public ChatCompletionChunk usageChunk() {
            return new ChatCompletionChunk(chat.id(), "chat.completion.chunk", chat.created(), chat.modelId(), FINGERPRINT,
                    List.of(), usage(done));
        }

        /** @return the whole answer, once {@link #finished()} (to cache it) */
        public ChatCompletion result() {
            return chatResult(chat, done);
        }

        private void start(int i, List<ChatCompletionChunk> out) {
            if (!started[i]) {
                started[i] = true;
                held[i] = new StringBuilder();
                out.add(chunk(i, new ChatCompletionChunk.Delta("assistant", "", null), null, null));
            }
        }

        private ChatCompletionChunk chunk(int i, ChatCompletionChunk.Delta delta, ChatCompletion.Logprobs lp, String finish) {
            return new ChatCompletionChunk(chat.id(), "chat.completion.chunk", chat.created(), chat.modelId(), FINGERPRINT,
                    List.of(new ChatCompletionChunk.Choice(i, delta, lp, finish)), null);
        }
    }

    /**
     * Replays a whole answer (from the response cache) as the chunks a stream would have sent.
     *
     * @param c the answer
     * @param includeUsage whether to end with the usage chunk
     * @return the chunks
     */
    public static List<ChatCompletionChunk> replay(ChatCompletion c, boolean includeUsage) {
        List<ChatCompletionChunk> out = new ArrayList<>();
        for (ChatCompletion.Choice ch : c.choices()) {
            out.add(replayChunk(c, ch.index(), new ChatCompletionChunk.Delta("assistant", "", null), null));
            if (ch.message().toolCalls() != null) {
                List<ChatCompletionChunk.ToolCallDelta> deltas = new ArrayList<>();
                for (int k = 0; k < ch.message().toolCalls().size(); k++) {
                    ChatCompletion.ToolCall tc = ch.message().toolCalls().get(k);
                    deltas.add(new ChatCompletionChunk.ToolCallDelta(k, tc.id(), "function", tc.function()));
                }
                out.add(replayChunk(c, ch.index(), new ChatCompletionChunk.Delta(null, null, deltas), null));
            } else if (ch.message().content() != null && !ch.message().content().isEmpty()) {
                out.add(new ChatCompletionChunk(c.id(), "chat.completion.chunk", c.created(), c.model(), c.systemFingerprint(),
                        List.of(new ChatCompletionChunk.Choice(ch.index(), new ChatCompletionChunk.Delta(null, ch.message().content(), null),
                                ch.logprobs(), null)), null));
            }
            out.add(replayChunk(c, ch.index(), new ChatCompletionChunk.Delta(null, null, null), ch.finishReason()));
        }
        if (includeUsage) {
            out.add(new ChatCompletionChunk(c.id(), "chat.completion.chunk", c.created(), c.model(), c.systemFingerprint(),
                    List.of(), c.usage()));
        }
        return out;
    }

    private static ChatCompletionChunk replayChunk(ChatCompletion c, int i, ChatCompletionChunk.Delta d, String finish) {
        return new ChatCompletionChunk(c.id(), "chat.completion.chunk", c.created(), c.model(), c.systemFingerprint(),
                List.of(new ChatCompletionChunk.Choice(i, d, null, finish)), null);
    }

    // ---- completions ---------------------------------------------------------------------------

    /**
     * A completions request turned into one core request per (prompt, choice).
     *
     * @param request the OpenAI request
     * @param modelId the model's id
     * @param model the model
     * @param choices {@code prompts × n} requests, prompt-major
     * @param echoes per choice: the prompt text to put before it when {@code echo}, else ""
     * @param id the answer's id
     * @param created Unix seconds
     */
    public record PreparedCompletions(CompletionsRequest request, String modelId, LanguageModel model,
            List<CompletionRequest> choices, List<String> echoes, String id, long created) {
        /** @return the number of choices */
        public int n() {
            return choices.size();
        }

        /**
         * @param choice the choice index
         * @param listener receives its chunks
         * @return its completion
         */
        public Completion run(int choice, TokenListener listener) {
            return model.complete(choices.get(choice), listener);
        }
    }

    /**
     * @param r the request
     * @param modelId the model's id
     * @param model the model
     * @return the prepared request
     */
    public PreparedCompletions prepareCompletions(CompletionsRequest r, String modelId, LanguageModel model) {
        GenerationParams p = r.params();
        checkFeatures(p, model);
        int context = model.info().contextSize();
        if (p.maxTokens() != null && p.maxTokens() > context) {
            throw OpenAiException.invalid("max_tokens", "max_tokens must be <= " + context + " (the context size of model "
                    + modelId + "), was " + p.maxTokens());
        }
        if (r.prompts().size() * p.n() > RequestParser.MAX_N * 2) {
            throw OpenAiException.invalid("prompt", "prompts × n must be <= " + (RequestParser.MAX_N * 2) + ", was "
                    + r.prompts().size() + " × " + p.n());
        }
        long baseSeed = p.seed() != null ? Math.floorMod(p.seed(), SEED_MODULUS) : ThreadLocalRandom.current().nextLong(SEED_MODULUS);
        List<CompletionRequest> choices = new ArrayList<>();
        List<String> echoes = new ArrayList<>();
        for (int k = 0; k < r.prompts().size(); k++) {
            Input in = r.prompts().get(k);
            String param = r.prompts().size() == 1 ? "prompt" : "prompt[" + k + "]";
            if (in.tokens() != null) {
                checkTokens(model, in.tokens(), param);
            }
            String text = in.text();
            if (maxPromptTokens > 0) {
                int n = in.tokens() != null ? in.tokens().length : promptTokens(() -> model.tokenize(text).length);
                if (n > maxPromptTokens) {
                    throw OpenAiException.invalid(param, "the prompt has " + n + " tokens, more than this server's limit of "
                            + maxPromptTokens);
                }
            }
            String echo = !r.echo() ? "" : text != null ? text : model.detokenize(in.tokens());
            for (int i = 0; i < p.n(); i++) {
                CompletionRequest.Builder b = CompletionRequest.builder();
                if (text != null) {
                    b.prompt(text);
                } else {
                    b.promptTokens(in.tokens());
                }
                apply(b, p, (baseSeed + i) % SEED_MODULUS, context, null);
                choices.add(b.build());
                echoes.add(echo);
            }
        }
        return new PreparedCompletions(r, modelId, model, choices, echoes, "cmpl-" + randomId(), nowSeconds());
    }

    /**
     * @param c the prepared request
     * @param completions every choice's completion
     * @return the answer
     */
    public TextCompletion completionsResult(PreparedCompletions c, Completion[] completions) {
        List<TextCompletion.Choice> choices = new ArrayList<>();
        for (int i = 0; i < completions.length; i++) {
            choices.add(new TextCompletion.Choice(c.echoes().get(i) + completions[i].text(), i,
                    textLogprobs(completions[i], c.echoes().get(i)), finishReason(completions[i].finishReason())));
        }
        return new TextCompletion(c.id(), "text_completion", c.created(), c.modelId(), choices,
                usage(completions, c.request().params().n()), FINGERPRINT);
    }

    /**
     * @param c the prepared request
     * @param e an event
     * @param out receives the stream objects to send
     */
    public void completionsEvent(PreparedCompletions c, Generation.Event e, List<TextCompletion> out) {
        int i = e.choice();
        switch (e) {
            case Generation.Token t -> {
                String text = t.chunk().text();
                if (t.chunk().index() == 0 && !c.echoes().get(i).isEmpty()) {
                    text = c.echoes().get(i) + text;
                }
                TextCompletion.Logprobs lp = t.chunk().logprobs().map(l -> {
                    Map<String, Double> top = new java.util.LinkedHashMap<>();
                    l.topLogprobs().forEach(a -> top.putIfAbsent(a.text(), a.logprob()));
                    return new TextCompletion.Logprobs(List.of(l.text()), List.of(l.logprob()), List.of(top), List.of(0));
                }).orElse(null);
                if (!text.isEmpty() || lp != null) {
                    out.add(textChunk(c.id(), c.created(), c.modelId(), new TextCompletion.Choice(text, i, lp, null)));
                }
            }
            case Generation.Done d -> out.add(textChunk(c.id(), c.created(), c.modelId(),
                    new TextCompletion.Choice("", i, null, finishReason(d.completion().finishReason()))));
            case Generation.Failed f -> throw toOpenAi(f.error(), "prompt");
        }
    }

    /**
     * @param c the prepared request
     * @param completions every choice's completion
     * @return the final usage object of a stream
     */
    public TextCompletion completionsUsageChunk(PreparedCompletions c, Completion[] completions) {
        return new TextCompletion(c.id(), "text_completion", c.created(), c.modelId(), List.of(),
                usage(completions, c.request().params().n()), FINGERPRINT);
    }

    /**
     * @param t a whole answer (from the cache)
     * @param includeUsage whether to end with usage
     * @return the stream objects a stream would have sent
     */
    public static List<TextCompletion> replay(TextCompletion t, boolean includeUsage) {
        List<TextCompletion> out = new ArrayList<>();
        for (TextCompletion.Choice c : t.choices()) {
            if (!c.text().isEmpty()) {
                out.add(textChunk(t.id(), t.created(), t.model(), new TextCompletion.Choice(c.text(), c.index(), null, null)));
            }
            out.add(textChunk(t.id(), t.created(), t.model(), new TextCompletion.Choice("", c.index(), null, c.finishReason())));
        }
        if (includeUsage) {
            out.add(new TextCompletion(t.id(), "text_completion", t.created(), t.model(), List.of(), t.usage(), FINGERPRINT));
        }
        return out;
    }

    private static TextCompletion textChunk(String id, long created, String model, TextCompletion.Choice c) {
        return new TextCompletion(id, "text_completion", created, model, List.of(c), null, FINGERPRINT);
    }

    // ---- embeddings, tokens, models -------------------------------------------------------------

    /**
     * @param r the request
     * @param modelId the model's id
     * @param model the model
     * @return the embeddings
     */
    public EmbeddingList embeddings(EmbeddingsRequest r, String modelId, LanguageModel model) {
        List<EmbeddingList.Embedding> data = new ArrayList<>(r.inputs().size());
        int tokens = 0;
        for (int i = 0; i < r.inputs().size(); i++) {
            Input in = r.inputs().get(i);
            String param = r.inputs().size() == 1 ? "input" : "input[" + i + "]";
            float[] v;
            try {
                int n;
                if (in.tokens() != null) {
                    checkTokens(model, in.tokens(), param);
                    n = in.tokens().length;
                } else {
                    if (in.text().isEmpty()) {
                        throw OpenAiException.invalid(param, param + " must not be empty");
                    }
                    n = model.tokenize(in.text()).length;
                }
                if (maxPromptTokens > 0 && n > maxPromptTokens) {
                    throw OpenAiException.invalid(param, param + " has " + n + " tokens, more than this server's limit of "
                            + maxPromptTokens);
                }
                tokens += n;
                v = in.tokens() != null ? model.embedTokens(in.tokens(), true) : model.embed(in.text(), true);
            } catch (RuntimeException e) {
                throw toOpenAi(e, param);
            }
            Object embedding = r.base64() ? base64(v) : v;
            data.add(new EmbeddingList.Embedding("embedding", embedding, i));
        }
        return new EmbeddingList("list", data, modelId, new EmbeddingList.EmbeddingUsage(tokens, tokens));
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static void checkTokens(LanguageModel model, int[] tokens, String param) {
        int vocab = model.info().vocabSize();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] >= vocab) {
                throw OpenAiException.invalid(param, param + "[" + i + "] must be a token id in [0, " + vocab + "), was " + tokens[i]);
            }
        }
    }

    // ---- shared ---------------------------------------------------------------------------------

    private static void checkFeatures(GenerationParams p, LanguageModel model) {
        if (p.logprobs() && !model.info().supports(Capability.LOGPROBS)) {
            throw OpenAiException.unsupported("logprobs", "logprobs is not supported by this model's backend ("
                    + model.info().backend() + ")");
        }
        if (!p.logitBias().isEmpty()) {
            if (!model.info().supports(Capability.LOGIT_BIAS)) {
                throw OpenAiException.unsupported("logit_bias", "logit_bias is not supported by this model's backend ("
                        + model.info().backend() + ")");
            }
            int vocab = model.info().vocabSize();
            for (int token : p.logitBias().keySet()) {
                if (token >= vocab) {
                    throw OpenAiException.invalid("logit_bias", "logit_bias token ids must be in [0, " + vocab + "), was " + token);
                }
            }
        }
    }

    private static void apply(GenerationOptions.Builder<?> b, GenerationParams p, long seed, int context, String grammar) {
        b.sampling(sampling(p, seed));
        b.maxTokens(p.maxTokens() != null ? p.maxTokens() : context);
        b.stop(p.stop());
        if (p.logprobs()) {
            b.logprobs(true).topLogprobs(p.topLogprobs());
        }
        if (grammar != null) {
            b.grammar(grammar);
        }
    }

    /**
     * @param p the request's parameters
     * @param seed the seed of this choice
     * @return the sampling parameters with OpenAI's defaults (temperature 1, top-p 1, no top-k or min-p)
     */
    static SamplingParams sampling(GenerationParams p, long seed) {
        double temperature = p.temperature() == null ? 1.0 : p.temperature();
        SamplingParams.Builder s = SamplingParams.builder()
                .temperature((float) temperature)
                .topK(p.topK() == null ? 0 : p.topK())
                .minP(p.minP() == null ? 0f : p.minP().floatValue())
                .presencePenalty((float) p.presencePenalty())
                .frequencyPenalty((float) p.frequencyPenalty())
                .repeatPenalty(p.repeatPenalty() == null ? 1f : p.repeatPenalty().floatValue())
                .seed(seed)
                .logitBias(p.logitBias());
        double topP = p.topP() == null ? 1.0 : p.topP();
        if (topP <= 0) {
            s.topK(1).topP(1f); // top_p 0 keeps only the most likely token
        } else {
            s.topP((float) topP);
        }
        return s.build();
    }

    private static int promptTokens(java.util.function.IntSupplier count) {
        try {
            return count.getAsInt();
        } catch (RuntimeException e) {
            throw toOpenAi(e, "messages");
        }
    }

    private String compile(com.fasterxml.jackson.databind.JsonNode schema, String param) {
        try {
            return schemaCompiler.compile(schema.toString());
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid(param, "cannot use this JSON Schema: " + e.getMessage());
        }
    }

    /**
     * @param f a core finish reason
     * @return OpenAI's {@code finish_reason}
     */
    public static String finishReason(FinishReason f) {
        return switch (f) {
            case STOP, END_OF_GENERATION -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "cancelled";
        };
    }

    private static Usage usage(Completion[] completions) {
        return usage(completions, completions.length);
    }

    /** Prompt tokens count once per prompt (choices {@code k·n}), generated tokens for every choice. */
    private static Usage usage(Completion[] completions, int choicesPerPrompt) {
        int prompt = 0;
        int generated = 0;
        int cached = 0;
        for (int i = 0; i < completions.length; i++) {
            Completion c = completions[i];
            if (c == null) {
                continue;
            }
            generated += c.usage().completionTokens();
            if (i % choicesPerPrompt == 0) {
                prompt += c.usage().promptTokens();
                cached += cachedTokens(c);
            }
        }
        return Usage.of(prompt, generated, cached);
    }

    private static int cachedTokens(Completion c) {
        return c.usage().cachedPromptTokens();
    }

    private static ChatCompletion.Logprobs chatLogprobs(Completion c) {
        return c.logprobs().isEmpty() ? null : new ChatCompletion.Logprobs(c.logprobs().stream().map(OpenAiService::entry).toList(), null);
    }

    private static ChatCompletion.TokenLogprob entry(TokenLogprob t) {
        List<Integer> bytes = new ArrayList<>();
        for (byte b : t.bytes()) {
            bytes.add(b & 0xFF);
        }
        return new ChatCompletion.TokenLogprob(t.text(), t.logprob(), bytes,
                t.topLogprobs().stream().map(OpenAiService::entry).toList());
    }

    private static TextCompletion.Logprobs textLogprobs(Completion c, String echo) {
        if (c.logprobs().isEmpty()) {
            return null;
        }
        List<String> tokens = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = echo.length();
        for (TokenLogprob t : c.logprobs()) {
            tokens.add(t.text());
            lps.add(t.logprob());
            Map<String, Double> top = new java.util.LinkedHashMap<>();
            t.topLogprobs().forEach(a -> top.putIfAbsent(a.text(), a.logprob()));
            tops.add(top);
            offsets.add(offset);
            offset += t.text().length();
        }
        return new TextCompletion.Logprobs(tokens, lps, tops, offsets);
    }

    /**
     * Maps a failure of a model call to the OpenAI error a client should see.
     *
     * @param e the failure
     * @param promptParam the request field holding the prompt ({@code messages}, {@code prompt}, {@code input})
     * @return the error
     */
    public static OpenAiException toOpenAi(RuntimeException e, String promptParam) {
        return switch (e) {
            case OpenAiException o -> o;
            case ContextOverflowException c -> new OpenAiException(400, "invalid_request_error", promptParam,
                    "context_length_exceeded", "the prompt has " + c.promptTokens() + " tokens and does not fit the model's "
                    + "context of " + c.contextSize() + " tokens; shorten it", 0);
            case RequestRejectedException r -> new OpenAiException(429, "rate_limit_error", null, "queue_full",
                    "the model's request queue is full; retry shortly", 1);
            case IllegalArgumentException i -> OpenAiException.invalid(null, i.getMessage());
            case IllegalStateException s when s.getMessage() != null && s.getMessage().startsWith("closed") ->
                    OpenAiException.unavailable("model_unavailable", "the model is shutting down; retry on another server");
            case IllegalStateException s -> OpenAiException.invalid(promptParam, s.getMessage());
            default -> new OpenAiException(500, "server_error", null, "internal_error",
                    "the model failed on this request (" + e.getClass().getSimpleName() + "); the server log has the detail",
                    0);
        };
    }

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    /** @return 24 random base-62 characters */
    static String randomId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

}

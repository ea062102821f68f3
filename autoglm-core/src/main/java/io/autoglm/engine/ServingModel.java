package io.autoglm.engine;

import io.autoglm.AutoGLMException;
import io.autoglm.Capability;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.ContextOverflowException;
import io.autoglm.FinishReason;
import io.autoglm.GenerationOptions;
import io.autoglm.LanguageModel;
import io.autoglm.LogitsConsumer;
import io.autoglm.ModelInfo;
import io.autoglm.ModelStats;
import io.autoglm.TokenChunk;
import io.autoglm.TokenListener;
import io.autoglm.TokenLogprob;
import io.autoglm.TokenStream;
import io.autoglm.Usage;
import io.autoglm.backend.BackendModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LanguageModel} the engine serves. The caller's thread renders chat templates,
 * tokenizes and fits the prompt (when the backend's vocabulary is thread-safe), hands a request to
 * the {@link Scheduler}, and then waits for its answer — or reads its chunks and calls the
 * listener, so listeners and stream readers always run on the callers' threads.
 */
final class ServingModel implements LanguageModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final BackendModel backend;
    private final Scheduler scheduler;
    private final Vocabulary vocab;
    private final ModelInfo info;
    private final String defaultTemplate;
    private final boolean embeddings;
    private final boolean vocabThreadSafe;
    private final int contextSize;
    private final String label;

    /**
     * @param backend the loaded backend model, owned by the scheduler's loop
     * @param scheduler the scheduler serving it (its loop already running)
     * @param vocab the model's token pieces
     * @param info what was loaded
     * @param defaultTemplate the builder's default chat template, or null
     * @param embeddings whether embeddings were asked for
     * @param label names the model in messages
     */
    ServingModel(BackendModel backend, Scheduler scheduler, Vocabulary vocab, ModelInfo info, String defaultTemplate,
            boolean embeddings, String label) {
        this.backend = backend;
        this.scheduler = scheduler;
        this.vocab = vocab;
        this.info = info;
        this.defaultTemplate = defaultTemplate;
        this.embeddings = embeddings;
        this.vocabThreadSafe = backend.isVocabularyThreadSafe();
        this.contextSize = scheduler.contextSize();
        this.label = label;
    }

    /** @return a new label for a model's messages and threads */
    static String label(String name, String backendName) {
        return "LanguageModel[" + name + ", " + backendName + ", #" + IDS.incrementAndGet() + "]";
    }

    // ------------------------------------------------------------------------------------ generation

    @Override
    public Completion complete(CompletionRequest request) {
        return complete(request, null);
    }

    @Override
    public Completion complete(CompletionRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        return run(completionRequest(request, listener != null), listener);
    }

    @Override
    public TokenStream stream(CompletionRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        GenerationRequest g = completionRequest(request, true);
        scheduler.submit(g);
        return new EngineTokenStream(this, g);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return chat(request, null);
    }

    @Override
    public ChatResponse chat(ChatRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        Completion c = run(chatRequest(request, listener != null), listener);
        return new ChatResponse(ChatMessage.assistant(c.text()), c);
    }

    @Override
    public TokenStream streamChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        GenerationRequest g = chatRequest(request, true);
        scheduler.submit(g);
        return new EngineTokenStream(this, g);
    }

    private GenerationRequest completionRequest(CompletionRequest request, boolean streaming) {
        GenerationOptions options = request.options();
        checkOptions(options);
        int[] given = request.promptTokens().orElse(null);
        if (given != null) {
            checkTokenIds(given, "promptTokens");
            return new GenerationRequest(fitToContext(given, contextSize, options, -1), null, options, vocab, streaming);
        }
        String prompt = request.prompt();
        Function<BackendModel, int[]> resolve = b -> fitToContext(b.tokenize(prompt, true, true), contextSize, options,
                vocab.bos());
        return newRequest(resolve, options, streaming);
    }

    private GenerationRequest chatRequest(ChatRequest request, boolean streaming) {
        GenerationOptions options = request.options();
        checkOptions(options);
        String template = resolveTemplate(request.chatTemplate().orElse(null));
        List<ChatMessage> messages = request.messages();
        Function<BackendModel, int[]> resolve = b -> fitToContext(
                b.tokenize(b.applyChatTemplate(template, messages, true), true, true), contextSize, options, vocab.bos());
        return newRequest(resolve, options, streaming);
    }

    /** Renders and tokenizes the prompt now (on the decode thread when the vocabulary is not thread-safe), so a bad prompt fails here. */
    private GenerationRequest newRequest(Function<BackendModel, int[]> resolve, GenerationOptions options, boolean streaming) {
        return new GenerationRequest(vocabCall(resolve), null, options, vocab, streaming);
    }

    private void checkOptions(GenerationOptions options) {
        if (options.logprobs() && !info.supports(Capability.LOGPROBS)) {
            throw new UnsupportedOperationException("the " + info.backend() + " backend cannot report logprobs; use Backend.FFM");
        }
        if (!options.sampling().logitBias().isEmpty() && !info.supports(Capability.LOGIT_BIAS)) {
            throw new UnsupportedOperationException("the " + info.backend() + " backend cannot apply a logit bias; use Backend.FFM");
        }
        for (int t : options.sampling().logitBias().keySet()) {
            if (t >= vocab.size()) {
                throw new IllegalArgumentException("logitBias token id must be in [0, " + vocab.size() + "), was " + t);
            }
        }
    }

    /** Submits a generation and waits for it on the caller's thread, calling the listener for each chunk. */
    private Completion run(GenerationRequest g, TokenListener listener) {
        scheduler.submit(g);
        if (listener == null) {
            return await(g.result, g);
        }
        List<TokenChunk> delivered = new ArrayList<>();
        boolean stoppedByListener = false;
        Throwable listenerError = null;
        while (true) {
            Object o = take(g);
            if (o == GenerationRequest.END) {
                break;
            }
            if (stoppedByListener || listenerError != null) {
                continue; // drain what the decode thread produced before it saw the cancel
            }
            TokenChunk chunk = (TokenChunk) o;
            delivered.add(chunk);
            try {
                if (!listener.onToken(chunk)) {
                    stoppedByListener = true;
                    cancel(g);
                }
            } catch (Throwable t) {
                listenerError = t;
                cancel(g);
            }
        }
        Completion c = await(g.result, g);
        if (listenerError != null) {
            throw rethrow(listenerError);
        }
        return stoppedByListener ? cutAt(c, delivered) : c;
    }

    /** The completion as the listener saw it when it asked to stop: text and tokens up to its last chunk. */
    private static Completion cutAt(Completion c, List<TokenChunk> delivered) {
        StringBuilder text = new StringBuilder();
        int tokens = 0;
        for (TokenChunk k : delivered) {
            text.append(k.text());
            if (k.token() >= 0) {
                tokens++;
            }
        }
        int[] ids = Arrays.copyOf(c.tokens(), Math.min(tokens, c.tokens().length));
        List<TokenLogprob> lp = c.logprobs().subList(0, Math.min(ids.length, c.logprobs().size()));
        Usage u = new Usage(c.usage().promptTokens(), ids.length, c.usage().cachedPromptTokens());
        return new Completion(text.toString(), ids, FinishReason.CANCELLED, u, c.timings(), lp);
    }

    private Object take(GenerationRequest g) {
        try {
            return g.chunks.take();
        } catch (InterruptedException e) {
            cancel(g);
            Thread.currentThread().interrupt();
            throw new AutoGLMException("interrupted while waiting for the next token of " + label + "; the request was cancelled", e);
        }
    }

    void cancel(Request r) {
        r.cancel();
        scheduler.wake();
    }

    /**
     * Fits prompt tokens to the context. Without truncation a prompt that leaves no room for one
     * generated token fails; with truncation the prompt keeps its BOS and its last tokens, leaving
     * {@code min(maxTokens, context/2)} tokens for generation.
     */
    static int[] fitToContext(int[] tokens, int contextSize, GenerationOptions options, int bosToken) {
        int[] t = tokens;
        if (bosToken >= 0 && t.length >= 2 && t[0] == bosToken && t[1] == bosToken) {
            t = Arrays.copyOfRange(t, 1, t.length); // a template that writes BOS itself, plus the one tokenize adds
        }
        if (t.length == 0) {
            throw new IllegalArgumentException("prompt is empty and the model adds no BOS token; give a non-empty prompt");
        }
        int room = Math.max(1, Math.min(options.maxTokens(), contextSize / 2));
        if (!options.truncatePrompt()) {
            if (t.length >= contextSize) {
                throw new ContextOverflowException(t.length, contextSize);
            }
            return t;
        }
        if (t.length + room <= contextSize) {
            return t;
        }
        int keep = contextSize - room;
        int[] fitted = new int[keep];
        if (bosToken >= 0 && t[0] == bosToken) {
            fitted[0] = bosToken;
            System.arraycopy(t, t.length - (keep - 1), fitted, 1, keep - 1);
        } else {
            System.arraycopy(t, t.length - keep, fitted, 0, keep);
        }
        LOG.debug("prompt of {} tokens truncated to its last {} to leave {} of {} context tokens for generation",
                t.length, keep, room, contextSize);
        return fitted;
    }

    // ------------------------------------------------------------------------------------ templates

    /** Request template, else the builder's default, else the model's own, else a clear failure. */
    private String resolveTemplate(String requested) {
        if (requested != null) {
            return requested;
        }
        if (defaultTemplate != null) {
            return defaultTemplate;
        }
        if (info.chatTemplate().isPresent()) {
            return info.chatTemplate().get();
        }
        throw new IllegalStateException("model " + info.name() + " has no chat template (tokenizer.chat_template); "
                + "name one, e.g. ChatRequest.builder().chatTemplate(\"chatml\") or AutoGLM.builder().chatTemplate(\"chatml\")");
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, String chatTemplate, boolean addAssistantPrompt) {
        Objects.requireNonNull(messages, "messages");
        messages.forEach(m -> Objects.requireNonNull(m, "message"));
        ensureOpen();
        String template = resolveTemplate(chatTemplate);
        List<ChatMessage> copy = List.copyOf(messages);
        return vocabCall(b -> b.applyChatTemplate(template, copy, addAssistantPrompt));
    }

    // ------------------------------------------------------------------------------------ embeddings

    @Override
    public float[] embed(String text, boolean normalize) {
        Objects.requireNonNull(text, "text");
        return embedAll(List.of(text), normalize).get(0);
    }

    @Override
    public List<float[]> embedAll(List<String> texts, boolean normalize) {
        Objects.requireNonNull(texts, "texts");
        for (int i = 0; i < texts.size(); i++) {
            Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
        }
        ensureOpen();
        requireEmbeddings();
        List<String> copy = List.copyOf(texts);
        int[][] inputs = vocabCall(b -> {
            int[][] in = new int[copy.size()][];
            for (int i = 0; i < in.length; i++) {
                in[i] = b.tokenize(copy.get(i), true, true);
            }
            return in;
        });
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].length == 0) {
                throw new IllegalArgumentException("text to embed" + (inputs.length > 1 ? " at index " + i : "")
                        + " is empty and the model adds no BOS token");
            }
            if (inputs[i].length > contextSize) {
                throw new ContextOverflowException(inputs[i].length, contextSize);
            }
        }
        return List.of(embedTokens(inputs, normalize));
    }

    @Override
    public float[] embedTokens(int[] tokens, boolean normalize) {
        Objects.requireNonNull(tokens, "tokens");
        ensureOpen();
        requireEmbeddings();
        int[] copy = tokens.clone();
        if (copy.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (copy.length > contextSize) {
            throw new ContextOverflowException(copy.length, contextSize);
        }
        checkTokenIds(copy, "tokens");
        return embedTokens(new int[][] {copy}, normalize)[0];
    }

    private float[][] embedTokens(int[][] inputs, boolean normalize) {
        if (inputs.length == 0) {
            return new float[0][];
        }
        EmbedRequest e = new EmbedRequest(inputs, normalize);
        scheduler.submit(e);
        return await(e.result, e);
    }

    private void requireEmbeddings() {
        if (!embeddings) {
            throw new IllegalStateException("embeddings are disabled for " + label + "; build the model with embeddings(true)");
        }
    }

    // ------------------------------------------------------------------------------------ vocabulary

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        ensureOpen();
        return vocabCall(b -> b.tokenize(text, addSpecial, parseSpecial));
    }

    @Override
    public String detokenize(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        ensureOpen();
        int[] copy = tokens.clone();
        checkTokenIds(copy, "tokens");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : copy) {
            bytes.writeBytes(vocab.rawPiece(t));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void checkTokenIds(int[] tokens, String what) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab.size()) {
                throw new IllegalArgumentException("token id at index " + i + " of " + what + " must be in [0, " + vocab.size()
                        + "), was " + tokens[i]);
            }
        }
    }

    /** Runs a vocabulary call here when the backend allows it, else on the decode thread. */
    private <T> T vocabCall(Function<BackendModel, T> body) {
        if (vocabThreadSafe) {
            return body.apply(backend);
        }
        TaskRequest<T> t = new TaskRequest<>(body);
        scheduler.submit(t);
        return await(t.result, t);
    }

    // ------------------------------------------------------------------------------------ logits

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(consumer, "consumer");
        ensureOpen();
        if (!info.supports(Capability.LOGITS)) {
            throw new UnsupportedOperationException("the " + info.backend() + " backend cannot expose logits; use Backend.FFM");
        }
        int[] copy = tokens.clone();
        if (copy.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (copy.length > contextSize) {
            throw new ContextOverflowException(copy.length, contextSize);
        }
        checkTokenIds(copy, "tokens");
        EvaluateRequest e = new EvaluateRequest(copy);
        scheduler.submit(e);
        Throwable consumerError = null;
        while (true) {
            Object o;
            try {
                o = e.rows.take();
            } catch (InterruptedException ex) {
                cancel(e);
                Thread.currentThread().interrupt();
                throw new AutoGLMException("interrupted while evaluating on " + label + "; the request was cancelled", ex);
            }
            if (o == EvaluateRequest.END) {
                break;
            }
            if (consumerError != null) {
                continue;
            }
            EvaluateRequest.Row row = (EvaluateRequest.Row) o;
            try {
                consumer.accept(row.position(), row.logits());
            } catch (Throwable t) {
                consumerError = t;
                cancel(e);
            }
        }
        if (consumerError != null) {
            throw rethrow(consumerError);
        }
        await(e.result, e);
    }

    // ------------------------------------------------------------------------------------ the rest

    @Override
    public ModelInfo info() {
        ensureOpen();
        return info;
    }

    @Override
    public ModelStats stats() {
        return scheduler.stats();
    }

    /** Runs work on the decode thread once no sequence is running (KV memory cleared before and after). */
    <T> T runExclusive(Function<BackendModel, T> body) {
        ensureOpen();
        TaskRequest<T> t = new TaskRequest<>(body);
        scheduler.submit(t);
        return await(t.result, t);
    }

    @Override
    public void close() {
        if (!scheduler.isClosed()) {
            LOG.debug("closing {}", label);
        }
        scheduler.close();
    }

    @Override
    public String toString() {
        return label;
    }

    private void ensureOpen() {
        if (scheduler.isClosed()) {
            throw new IllegalStateException("closed: " + label);
        }
    }

    /** Waits for a request's answer on the caller's thread; an interrupt cancels the request. */
    <T> T await(CompletableFuture<T> future, Request request) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            cancel(request);
            Thread.currentThread().interrupt();
            throw new AutoGLMException("interrupted while waiting for " + label + "; the request was cancelled", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("request was cancelled before it started: " + label, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof CancellationException c) {
            return new IllegalStateException("request was cancelled: " + c.getMessage(), c);
        }
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new AutoGLMException("request failed: " + t, t);
    }
}

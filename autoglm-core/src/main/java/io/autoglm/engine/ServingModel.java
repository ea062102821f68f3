package io.autoglm.engine;

import io.autoglm.AutoGLMException;
import io.autoglm.ChatMessage;
import io.autoglm.ChatRequest;
import io.autoglm.ChatResponse;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.ContextOverflowException;
import io.autoglm.LanguageModel;
import io.autoglm.LogitsConsumer;
import io.autoglm.ModelInfo;
import io.autoglm.TokenListener;
import io.autoglm.TokenStream;
import io.autoglm.backend.BackendModel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LanguageModel} the engine serves: every backend call runs as a job on the scheduler's
 * worker, so callers on any number of threads each get the answer they would get alone (each
 * generation starts from a fresh context state).
 */
final class ServingModel implements LanguageModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServingModel.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final BackendModel backend;
    private final ModelInfo info;
    private final String defaultTemplate;
    private final boolean embeddings;
    private final int bosToken;
    private final int contextSize;
    private final int vocabSize;
    /** UTF-8 bytes of every token, read once: generation decodes text without calling back into the backend. */
    private final byte[][] pieces;
    private final SerialScheduler scheduler;
    private final String label;

    /**
     * @param backend the loaded backend model; this object owns it from now on
     * @param info what was loaded
     * @param defaultTemplate the builder's default chat template, or null
     * @param embeddings whether embeddings were asked for
     * @param maxQueued queue bound
     */
    ServingModel(BackendModel backend, ModelInfo info, String defaultTemplate, boolean embeddings, int maxQueued) {
        this.backend = backend;
        this.info = info;
        this.defaultTemplate = defaultTemplate;
        this.embeddings = embeddings;
        this.contextSize = backend.contextSize();
        this.vocabSize = backend.vocabSize();
        // Not yet shared with the worker: safe to ask the backend directly.
        int[] empty = backend.tokenize("", true, false);
        this.bosToken = empty.length > 0 ? empty[0] : -1;
        this.pieces = new byte[vocabSize][];
        for (int t = 0; t < vocabSize; t++) {
            pieces[t] = backend.tokenBytes(t);
        }
        int id = IDS.incrementAndGet();
        this.label = "LanguageModel[" + info.name() + ", " + backend.backendName() + ", #" + id + "]";
        this.scheduler = new SerialScheduler(backend, maxQueued, "autoglm-engine-" + id, label);
    }

    @Override
    public Completion complete(CompletionRequest request) {
        return complete(request, null);
    }

    @Override
    public Completion complete(CompletionRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        String prompt = request.prompt();
        GenerationJob job = new GenerationJob(b -> prompt, request.options(), listener, bosToken, pieces);
        scheduler.submit(job);
        return await(job.result, job);
    }

    @Override
    public TokenStream stream(CompletionRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        String prompt = request.prompt();
        return startStream(b -> prompt, request.options());
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return chat(request, null);
    }

    @Override
    public ChatResponse chat(ChatRequest request, TokenListener listener) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        GenerationJob job = new GenerationJob(chatPrompt(request), request.options(), listener, bosToken, pieces);
        scheduler.submit(job);
        Completion c = await(job.result, job);
        return new ChatResponse(ChatMessage.assistant(c.text()), c);
    }

    @Override
    public TokenStream streamChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        return startStream(chatPrompt(request), request.options());
    }

    private TokenStream startStream(Function<BackendModel, String> prompt, io.autoglm.GenerationOptions options) {
        EngineTokenStream stream = new EngineTokenStream(this);
        GenerationJob job = new GenerationJob(prompt, options, stream::offer, bosToken, pieces);
        stream.attach(job);
        scheduler.submit(job);
        return stream;
    }

    private Function<BackendModel, String> chatPrompt(ChatRequest request) {
        String template = resolveTemplate(request.chatTemplate().orElse(null));
        List<ChatMessage> messages = request.messages();
        return b -> b.applyChatTemplate(template, messages, true);
    }

    /** Request template, else the builder's default, else the model's own, else a clear failure. */
    private String resolveTemplate(String requested) {
        if (requested != null) {
            LOG.debug("chat template of the request: {}", abbreviate(requested));
            return requested;
        }
        if (defaultTemplate != null) {
            LOG.debug("chat template from the builder: {}", abbreviate(defaultTemplate));
            return defaultTemplate;
        }
        if (info.chatTemplate().isPresent()) {
            LOG.debug("chat template of the model");
            return info.chatTemplate().get();
        }
        throw new IllegalStateException("model " + info.name() + " has no chat template (tokenizer.chat_template); "
                + "name one, e.g. ChatRequest.builder().chatTemplate(\"chatml\") or AutoGLM.builder().chatTemplate(\"chatml\")");
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ');
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "...";
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, String chatTemplate, boolean addAssistantPrompt) {
        Objects.requireNonNull(messages, "messages");
        messages.forEach(m -> Objects.requireNonNull(m, "message"));
        ensureOpen();
        String template = resolveTemplate(chatTemplate);
        List<ChatMessage> copy = List.copyOf(messages);
        return call(b -> b.applyChatTemplate(template, copy, addAssistantPrompt));
    }

    @Override
    public float[] embed(String text, boolean normalize) {
        Objects.requireNonNull(text, "text");
        ensureOpen();
        if (!embeddings) {
            throw new IllegalStateException("embeddings are disabled for " + label + "; build the model with embeddings(true)");
        }
        return call(b -> {
            int[] tokens = b.tokenize(text, true, true);
            if (tokens.length == 0) {
                throw new IllegalArgumentException("text to embed is empty and the model adds no BOS token");
            }
            if (tokens.length > contextSize) {
                throw new ContextOverflowException(tokens.length, contextSize);
            }
            return b.embed(tokens, normalize);
        });
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        ensureOpen();
        return call(b -> b.tokenize(text, addSpecial, parseSpecial));
    }

    @Override
    public String detokenize(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        ensureOpen();
        int[] copy = tokens.clone();
        checkTokenIds(copy);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : copy) {
            bytes.writeBytes(pieces[t]);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void evaluate(int[] tokens, LogitsConsumer consumer) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(consumer, "consumer");
        ensureOpen();
        int[] copy = tokens.clone();
        if (copy.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (copy.length > contextSize) {
            throw new ContextOverflowException(copy.length, contextSize);
        }
        checkTokenIds(copy);
        call(b -> {
            b.evaluate(copy, (pos, logits) -> {
                boolean prev = Job.IN_CALLBACK.get();
                Job.IN_CALLBACK.set(true);
                try {
                    consumer.accept(pos, logits);
                } finally {
                    Job.IN_CALLBACK.set(prev);
                }
            });
            return null;
        });
    }

    private void checkTokenIds(int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("token id at index " + i + " must be in [0, " + vocabSize + "), was " + tokens[i]);
            }
        }
    }

    @Override
    public ModelInfo info() {
        ensureOpen();
        return info;
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

    private <T> T call(Function<BackendModel, T> body) {
        TaskJob<T> job = new TaskJob<>(body);
        scheduler.submit(job);
        return await(job.result, job);
    }

    /** Waits for a job's answer on the caller's thread; an interrupt cancels the job. */
    <T> T await(CompletableFuture<T> future, Job job) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new AutoGLMException("interrupted while waiting for " + label + "; the request was cancelled", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("request was cancelled before it started: " + label, e);
        } catch (ExecutionException e) {
            throw GenerationJob.rethrow(e.getCause());
        }
    }
}

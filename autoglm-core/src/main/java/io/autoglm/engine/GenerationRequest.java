package io.autoglm.engine;

import io.autoglm.Completion;
import io.autoglm.FinishReason;
import io.autoglm.GenerationOptions;
import io.autoglm.Timings;
import io.autoglm.TokenChunk;
import io.autoglm.TokenLogprob;
import io.autoglm.Usage;
import io.autoglm.backend.BackendModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * One generation. The caller's side creates it (prompt tokens, options) and reads its result; the
 * decode thread feeds it tokens through {@link #accept}, which turns them into text (UTF-8
 * assembly, stop strings, control tokens left out) and, when the caller streams, queues a
 * {@link TokenChunk} per token. Nothing here runs user code: listeners and stream readers take the
 * chunks on their own threads.
 */
final class GenerationRequest extends Request {
    /** Marks the end of {@link #chunks}. */
    static final Object END = new Object();

    /** Prompt tokens, or null until {@link #resolvePrompt} runs (serial backends tokenize on their thread). */
    private int[] prompt;
    private final Function<BackendModel, int[]> promptResolver;
    final GenerationOptions options;
    private final Vocabulary vocab;
    /** TokenChunk objects then END; null when nobody streams */
    final LinkedBlockingQueue<Object> chunks;
    final CompletableFuture<Completion> result = new CompletableFuture<>();

    // ---- decode-thread state
    private final Utf8Accumulator utf8 = new Utf8Accumulator();
    private final StopMatcher stops;
    private final StringBuilder text = new StringBuilder();
    private int[] tokens = new int[16];
    private int count;
    private final List<TokenLogprob> logprobs;
    private long admittedNanos;
    private long firstTokenNanos;
    private int cachedPromptTokens;

    /**
     * @param prompt prompt tokens already fitted to the context, or null with a resolver
     * @param promptResolver renders and tokenizes the prompt on the backend's thread, or null
     * @param options generation options
     * @param vocab pieces and token kinds of the model
     * @param streaming true when a listener or stream reads chunks
     */
    GenerationRequest(int[] prompt, Function<BackendModel, int[]> promptResolver, GenerationOptions options, Vocabulary vocab,
            boolean streaming) {
        this.prompt = prompt;
        this.promptResolver = promptResolver;
        this.options = options;
        this.vocab = vocab;
        this.chunks = streaming ? new LinkedBlockingQueue<>() : null;
        this.stops = new StopMatcher(options.stop());
        this.logprobs = options.logprobs() ? new ArrayList<>() : null;
    }

    /** @return the prompt tokens (resolved) */
    int[] prompt() {
        return prompt;
    }

    /** Serial backends: renders and tokenizes the prompt on the backend's thread. */
    void resolvePrompt(BackendModel backend) {
        if (prompt == null) {
            prompt = promptResolver.apply(backend);
        }
    }

    /** Decode thread: the request got a sequence (after {@code cached} prompt tokens were reused). */
    void admitted(long nowNanos, int cached) {
        if (admittedNanos == 0) {
            admittedNanos = nowNanos;
        }
        cachedPromptTokens = cached;
    }

    /** @return tokens generated so far (decode thread) */
    int generated() {
        return count;
    }

    /** @return the generated token at {@code i} (decode thread) */
    int generatedToken(int i) {
        return tokens[i];
    }

    /**
     * Decode thread: records a sampled token.
     *
     * @param token the token (already checked not to end the generation, unless ignoreEos)
     * @param logprob its log-probability when asked for, else null
     * @param nowNanos the time
     * @return false when a stop string ended the text (then {@link #finish} must follow)
     */
    boolean accept(int token, TokenLogprob logprob, long nowNanos) {
        if (count == 0) {
            firstTokenNanos = nowNanos;
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        int index = count;
        tokens[count++] = token;
        if (logprobs != null && logprob != null) {
            logprobs.add(logprob);
        }
        String piece = utf8.append(vocab.piece(token, options.renderSpecialTokens()));
        piece = stops.append(piece);
        text.append(piece);
        if (chunks != null) {
            chunks.add(new TokenChunk(index, token, piece, logprob));
        }
        return !stops.stopped();
    }

    /**
     * Decode thread: answers the caller.
     *
     * @param reason why the generation ended (STOP is used when a stop string was seen, whatever is passed)
     * @param nowNanos the time
     */
    void finish(FinishReason reason, long nowNanos) {
        if (result.isDone()) {
            return;
        }
        if (!stops.stopped()) {
            String tail = stops.append(utf8.flush());
            if (!stops.stopped()) {
                tail += stops.flush();
            }
            if (!tail.isEmpty()) {
                text.append(tail);
                if (chunks != null) {
                    chunks.add(new TokenChunk(count, -1, tail));
                }
            }
        }
        FinishReason r = stops.stopped() ? FinishReason.STOP : reason;
        long start = admittedNanos == 0 ? nowNanos : admittedNanos;
        long first = firstTokenNanos == 0 ? nowNanos : firstTokenNanos;
        Timings t = new Timings(millisSince(enqueuedNanos, start), millisSince(start, first), millisSince(first, nowNanos),
                Math.max(0, count - 1));
        int promptLength = prompt == null ? 0 : prompt.length;
        Completion c = new Completion(text.toString(), Arrays.copyOf(tokens, count), r,
                new Usage(promptLength, count, Math.min(cachedPromptTokens, promptLength)), t,
                logprobs == null ? List.of() : logprobs);
        if (chunks != null) {
            chunks.add(END);
        }
        result.complete(c);
    }

    @Override
    void fail(Throwable reason) {
        if (chunks != null) {
            chunks.add(END);
        }
        result.completeExceptionally(reason);
    }

    @Override
    boolean isDone() {
        return result.isDone();
    }
}

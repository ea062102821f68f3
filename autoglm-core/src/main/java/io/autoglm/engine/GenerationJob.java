package io.autoglm.engine;

import io.autoglm.AutoGLMException;
import io.autoglm.Completion;
import io.autoglm.ContextOverflowException;
import io.autoglm.FinishReason;
import io.autoglm.GenerationOptions;
import io.autoglm.Timings;
import io.autoglm.TokenChunk;
import io.autoglm.TokenListener;
import io.autoglm.Usage;
import io.autoglm.backend.BackendModel;
import io.autoglm.backend.GenerationResult;
import io.autoglm.backend.GenerationSpec;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation: renders and tokenizes the prompt, fits it to the context, runs the backend from a
 * fresh context state, and turns tokens into text chunks with stop strings applied.
 */
final class GenerationJob extends Job {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationJob.class);

    private final Function<BackendModel, String> promptText;
    private final GenerationOptions options;
    private final TokenListener listener;
    private final int bosToken;
    private final byte[][] pieces;
    final CompletableFuture<Completion> result = new CompletableFuture<>();

    /**
     * @param promptText renders the prompt on the worker (chat templates need the backend)
     * @param options generation options
     * @param listener receives chunks, or null
     * @param bosToken the model's BOS id when it adds one, else -1
     * @param pieces the bytes of every token id
     */
    GenerationJob(Function<BackendModel, String> promptText, GenerationOptions options, TokenListener listener, int bosToken,
            byte[][] pieces) {
        this.promptText = promptText;
        this.options = options;
        this.listener = listener;
        this.bosToken = bosToken;
        this.pieces = pieces;
    }

    @Override
    void abort(RuntimeException reason) {
        result.completeExceptionally(reason);
    }

    @Override
    void run(BackendModel backend) {
        long start = System.nanoTime();
        double queueMillis = queueMillis(start);
        if (cancelled) {
            result.complete(new Completion("", new int[0], FinishReason.CANCELLED, new Usage(0, 0), new Timings(queueMillis, 0, 0, 0)));
            return;
        }
        try {
            result.complete(generate(backend, queueMillis));
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }

    private Completion generate(BackendModel backend, double queueMillis) {
        String text = promptText.apply(backend);
        int[] prompt = fitToContext(backend.tokenize(text, true, true), backend.contextSize(), options, bosToken);
        GenerationSpec spec = new GenerationSpec(prompt, options.sampling(), options.maxTokens(), options.ignoreEos(),
                options.grammar().orElse(null));

        Utf8Accumulator utf8 = new Utf8Accumulator();
        StopMatcher stops = new StopMatcher(options.stop());
        StringBuilder out = new StringBuilder();
        int[][] tokens = {new int[Math.min(options.maxTokens(), 1024)]};
        int[] count = {0};
        boolean[] listenerStopped = {false};
        Throwable[] listenerError = {null};
        int maxTokens = options.maxTokens();

        GenerationResult r = backend.generate(spec, token -> {
            if (cancelled) {
                return false;
            }
            if (count[0] == tokens[0].length) {
                tokens[0] = Arrays.copyOf(tokens[0], tokens[0].length * 2);
            }
            int index = count[0];
            tokens[0][count[0]++] = token;
            boolean last = count[0] >= maxTokens;
            String piece = utf8.append(token >= 0 && token < pieces.length ? pieces[token] : new byte[0]);
            if (last) {
                piece += utf8.flush();
            }
            piece = stops.append(piece);
            if (last && !stops.stopped()) {
                piece += stops.flush();
            }
            out.append(piece);
            if (!deliver(new TokenChunk(index, token, piece), listenerStopped, listenerError)) {
                return false;
            }
            return !stops.stopped();
        });
        if (listenerError[0] != null) {
            throw rethrow(listenerError[0]);
        }
        if (!stops.stopped()) {
            String tail = stops.append(utf8.flush());
            if (!stops.stopped()) {
                tail += stops.flush();
            }
            if (!tail.isEmpty()) {
                out.append(tail);
                // Text held back until the end (a possible stop-string start, or an unfinished
                // character) is delivered in a last chunk that carries no token.
                deliver(new TokenChunk(count[0], -1, tail), listenerStopped, listenerError);
                if (listenerError[0] != null) {
                    throw rethrow(listenerError[0]);
                }
            }
        }
        FinishReason reason;
        if (stops.stopped()) {
            reason = FinishReason.STOP;
        } else if (cancelled || listenerStopped[0]) {
            reason = FinishReason.CANCELLED;
        } else {
            reason = switch (r.end()) {
                case END_OF_GENERATION -> FinishReason.END_OF_GENERATION;
                case LENGTH, CONTEXT_FULL -> FinishReason.LENGTH;
                case SINK_STOPPED -> FinishReason.CANCELLED;
            };
        }
        int n = count[0];
        return new Completion(out.toString(), Arrays.copyOf(tokens[0], n), reason, new Usage(prompt.length, n),
                new Timings(queueMillis, r.promptMillis(), r.decodeMillis(), n));
    }

    private boolean deliver(TokenChunk chunk, boolean[] listenerStopped, Throwable[] listenerError) {
        if (listener == null || listenerStopped[0]) {
            return !listenerStopped[0];
        }
        boolean prev = IN_CALLBACK.get();
        IN_CALLBACK.set(true);
        try {
            if (!listener.onToken(chunk)) {
                listenerStopped[0] = true;
                cancelled = true;
            }
        } catch (Throwable t) {
            listenerError[0] = t;
            listenerStopped[0] = true;
            cancelled = true;
        } finally {
            IN_CALLBACK.set(prev);
        }
        return !listenerStopped[0];
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

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new AutoGLMException("generation failed: " + t, t);
    }
}

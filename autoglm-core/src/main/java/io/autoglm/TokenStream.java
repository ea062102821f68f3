package io.autoglm;

import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A generation in progress, read chunk by chunk. Close it (or {@link #cancel()}) to stop early;
 * after the last chunk {@link #result()} holds the whole completion.
 *
 * <pre>{@code
 * try (TokenStream s = model.stream(CompletionRequest.of("Once"))) {
 *     s.forEachRemaining(c -> System.out.print(c.text()));
 *     System.out.println(s.result().finishReason());
 * }
 * }</pre>
 */
public interface TokenStream extends Iterator<TokenChunk>, AutoCloseable {
    /** Asks the generation to stop; chunks already produced may still be read. Idempotent. */
    void cancel();

    /**
     * Waits for the end of the generation.
     *
     * @return the whole completion (text, tokens, finish reason, usage, timings)
     */
    Completion result();

    /** @return the remaining chunks as a sequential stream; closing it cancels the generation */
    Stream<TokenChunk> stream();

    /** Cancels the generation if it is still running. */
    @Override
    void close();
}

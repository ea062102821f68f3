package io.autoglm.backend;

/** Receives each generated token from a backend, on the backend's decode thread. */
@FunctionalInterface
public interface TokenSink {
    /**
     * @param token the sampled token id
     * @return true to continue, false to stop generating now
     */
    boolean accept(int token);
}

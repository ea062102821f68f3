package io.autoglm.hub;

import io.autoglm.ModelLoadException;

/**
 * A download failed: the network after every retry, the hub refused (401/403), the bytes did not match their
 * SHA-256, or the disk was full. No partial file is left in the cache, except after a network failure, where the
 * bytes received are kept so that the next attempt resumes (the message says so).
 */
public class DownloadException extends ModelLoadException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and what to do */
    public DownloadException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what to do
     * @param cause the underlying failure
     */
    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.autoglm.hub;

/**
 * Told of download progress, on the downloading thread, at most every {@code 100 ms} per file and once more when a
 * file is complete. Keep it quick: it runs between reads of the network stream.
 */
@FunctionalInterface
public interface DownloadListener {
    /** A listener that ignores everything. */
    DownloadListener NONE = p -> { };

    /** @param progress where the download of one file stands */
    void onProgress(DownloadProgress progress);
}

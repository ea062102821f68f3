package io.autoglm.hub;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the download of one file stands.
 *
 * @param reference the reference being pulled, as the user wrote it
 * @param fileName the file's name
 * @param part this file's number among the parts of a split model, from 1
 * @param parts how many files the model has (1 unless split)
 * @param bytesDone bytes on disk so far, including any resumed from an earlier attempt
 * @param totalBytes the file's size, or -1 when the server did not say
 * @param bytesPerSecond the recent transfer rate, 0 before it is known
 * @param done true once the file is complete and verified
 */
public record DownloadProgress(
        String reference,
        String fileName,
        int part,
        int parts,
        long bytesDone,
        long totalBytes,
        double bytesPerSecond,
        boolean done) {

    /** @return the fraction done in [0, 1], or -1 when the size is unknown */
    public double fraction() {
        return totalBytes > 0 ? Math.min(1.0, (double) bytesDone / totalBytes) : totalBytes == 0 ? 1.0 : -1;
    }

    /** @return the estimated time left, when the size and the rate are known */
    public Optional<Duration> eta() {
        if (totalBytes < 0 || bytesPerSecond <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) (Math.max(0, totalBytes - bytesDone) * 1000.0 / bytesPerSecond)));
    }
}

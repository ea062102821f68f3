package io.autoglm.cli;

import io.autoglm.hub.DownloadListener;
import io.autoglm.hub.DownloadProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Download progress of the commands that resolve model references, shown like all other long work through
 * {@link Progress}: one display per file ({@code pull stories260K.gguf}, or {@code pull NAME (1/3)} for a part of a
 * split model) counting kilobytes or megabytes ({@link Progress#bytes}), with the rate and the time left; bytes resumed from an earlier attempt count as
 * done but not toward the rate. When a file is complete and verified, one line says so
 * ({@code autoglm: pulled stories260K.gguf 1.2 MB, verified}), also for downloads too quick to show a bar.
 */
final class PullProgress implements DownloadListener {
    private final PrintWriter err;
    private final Progress.Mode mode;
    private final Duration plainInterval;
    private final Duration delay;
    private String file;
    private Progress progress;

    /**
     * @param err where progress goes
     * @param mode how to show it
     * @param plainInterval time between two plain lines
     * @param delay nothing but the closing line is shown for a file that is done sooner
     */
    PullProgress(PrintWriter err, Progress.Mode mode, Duration plainInterval, Duration delay) {
        this.err = Objects.requireNonNull(err, "err");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.plainInterval = plainInterval;
        this.delay = delay;
    }

    /** @param err standard error @return a display in the mode the environment asks for ({@link Progress#mode()}) */
    static PullProgress forStderr(PrintWriter err) {
        Progress.Mode m = Progress.mode();
        return new PullProgress(err, m, Progress.PLAIN_INTERVAL,
                m == Progress.Mode.OFF || Progress.askedByName() ? Duration.ZERO : Progress.DELAY);
    }

    @Override
    public synchronized void onProgress(DownloadProgress p) {
        String name = p.parts() > 1 ? p.fileName() + " (" + p.part() + "/" + p.parts() + ")" : p.fileName();
        if (!name.equals(file)) {
            close();
            file = name;
            progress = Progress.start(err, "pull " + name, p.totalBytes(), Progress.bytes(p.totalBytes()), mode, plainInterval, delay,
                    p.done() ? 0 : p.bytesDone());
        }
        if (p.totalBytes() >= 0) {
            progress.total(p.totalBytes());
        }
        progress.stepTo(p.bytesDone());
        if (p.done()) {
            close();
            if (mode != Progress.Mode.OFF) {
                err.println("autoglm: pulled " + name + " " + size(p.bytesDone()) + ", verified");
                err.flush();
            }
        }
    }

    private void close() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    /** @param bytes a size @return it in B, kB, MB, GB, TB (powers of 1000), with one decimal above 1000 bytes */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

package io.autoglm.cli;

import io.autoglm.hub.DownloadListener;
import io.autoglm.hub.DownloadProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * How the CLI shows download progress, on standard error. On a terminal: one line redrawn in place with a bar, the
 * bytes, the rate and the time left. Otherwise (a pipe, a log file, CI): a plain line every few seconds and one when
 * each file is done. Everything the CLI prints about downloads goes through this one class, so that it can be
 * replaced (for example by a progress-bar library) without touching the commands.
 */
final class ProgressDisplay implements DownloadListener {
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean terminal;
    private final long plainEveryNanos;
    private long lastPlain;
    private String current;

    /**
     * @param err where progress goes
     * @param terminal whether {@code err} is a terminal (redraw in place) or not (periodic plain lines)
     * @param plainEvery least time between two plain lines
     */
    ProgressDisplay(PrintWriter err, boolean terminal, Duration plainEvery) {
        this.err = err;
        this.terminal = terminal;
        this.plainEveryNanos = plainEvery.toNanos();
    }

    /** @param err standard error @return a display for it, in place when this JVM has an interactive terminal */
    static ProgressDisplay forStderr(PrintWriter err) {
        java.io.Console c = System.console();
        return new ProgressDisplay(err, c != null && c.isTerminal(), Duration.ofSeconds(5));
    }

    @Override
    public synchronized void onProgress(DownloadProgress p) {
        String file = p.parts() > 1 ? p.fileName() + " (" + p.part() + "/" + p.parts() + ")" : p.fileName();
        boolean first = !file.equals(current);
        current = file;
        if (terminal) {
            err.print("\r" + line(file, p, true) + "\u001b[K");
            if (p.done()) {
                err.println();
            }
            err.flush();
            return;
        }
        long now = System.nanoTime();
        if (first || p.done() || now - lastPlain >= plainEveryNanos) {
            lastPlain = now;
            err.println("autoglm: " + line(file, p, false));
            err.flush();
        }
    }

    static String line(String file, DownloadProgress p, boolean bar) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.done() ? "pulled " : "pulling ").append(file).append(' ');
        double f = p.fraction();
        if (bar && f >= 0) {
            int filled = (int) Math.round(f * BAR);
            sb.append('[').append("#".repeat(filled)).append(" ".repeat(BAR - filled)).append("] ");
        }
        sb.append(size(p.bytesDone()));
        if (p.totalBytes() >= 0 && !p.done()) {
            sb.append(" of ").append(size(p.totalBytes()));
        }
        if (f >= 0 && !p.done()) {
            sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100 * f));
        }
        if (p.bytesPerSecond() > 0 && !p.done()) {
            sb.append(", ").append(size((long) p.bytesPerSecond())).append("/s");
        }
        p.eta().filter(d -> !p.done()).ifPresent(d -> sb.append(", ").append(duration(d)).append(" left"));
        if (p.done()) {
            sb.append(", verified");
        }
        return sb.toString();
    }

    /** @param bytes a size @return it in B, kB, MB, GB (powers of 1000) with one decimal */
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

    private static String duration(Duration d) {
        long s = Math.max(1, Math.round(d.toMillis() / 1000.0));
        return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}

package io.autoglm.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work (quantize, eval, hpo bench, train, ...) on standard error: the one way every command shows
 * it. On a terminal it is a bar redrawn in place with the amount done, the elapsed time, the time left and the rate
 * (drawn by {@code me.tongfei:progressbar}, which asks JLine for the terminal's width). Anywhere else (a pipe, a
 * log file, CI) it is a plain line when it appears, then one every {@link #PLAIN_INTERVAL} (when something changed),
 * and a last one when the work ends, with the same fields (the two times are the elapsed time and the time left):
 *
 * <pre>{@code
 * eval   1% [                                             ]  161/9838 windows (0:00:10 / 0:10:01) 16.1 windows/s
 * eval   3% [=                                            ]  367/9838 windows (0:00:15 / 0:06:27) 24.5 windows/s
 * }</pre>
 *
 * <p>The mode is chosen by {@code AUTOGLM_PROGRESS} (or {@code -Dautoglm.progress}): {@code auto} (the default),
 * {@code bar}, {@code plain} or {@code off}. In {@code auto}, nothing is shown for work that ends within
 * {@link #DELAY}, and {@code bin/autoglm} tells whether standard error is a terminal ({@code -Dautoglm.stderr.tty});
 * without it, {@link Console#isTerminal()} decides. A mode asked for by name shows progress from the start. Lines a
 * command prints while the bar is shown go through {@link #println} so that they scroll above the bar instead of
 * breaking it.
 *
 * <pre>{@code
 * try (Progress p = Progress.start(err, "quantize", totalBytes, Progress.MEGABYTES)) {
 *     quantizer.listener(e -> p.stepTo(e.bytesRead())).build().quantize();
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
    /** How progress is shown. */
    public enum Mode {
        /** A bar redrawn in place on the terminal (the process's standard error). */
        BAR,
        /** Plain lines, periodically. */
        PLAIN,
        /** Nothing. */
        OFF
    }

    /**
     * A unit of the amount of work: its name as printed and how many counted steps make one.
     *
     * @param name printed after the amounts, e.g. {@code " MB"} or {@code " windows"}
     * @param size steps per unit (1 for things counted one by one)
     */
    public record Unit(String name, long size) {
        /**
         * @param name printed after the amounts
         * @param size steps per unit, at least 1
         */
        public Unit {
            Objects.requireNonNull(name, "name");
            if (size < 1) {
                throw new IllegalArgumentException("size must be >= 1, was " + size);
            }
        }

        /** @param name what is counted, e.g. {@code "windows"} @return a unit counted one by one */
        public static Unit of(String name) {
            return new Unit(name.isEmpty() ? "" : " " + name, 1);
        }
    }

    /** Bytes, shown in megabytes (10^6). */
    public static final Unit MEGABYTES = new Unit(" MB", 1_000_000);

    /** Bytes, shown in kilobytes (10^3). */
    public static final Unit KILOBYTES = new Unit(" kB", 1_000);

    /**
     * @param totalBytes the amount of work in bytes, or negative while unknown
     * @return {@link #MEGABYTES} from 100 MB (or when unknown), else {@link #KILOBYTES}: the amounts are shown as
     *         whole units, so a small file counted in megabytes would read {@code 0/1 MB}
     */
    public static Unit bytes(long totalBytes) {
        return totalBytes < 0 || totalBytes >= 100_000_000 ? MEGABYTES : KILOBYTES;
    }

    /** Time between two plain lines. */
    public static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

    /** Work that ends sooner shows no progress at all. */
    public static final Duration DELAY = Duration.ofSeconds(1);

    /** Time between two redraws of the bar. */
    private static final int BAR_INTERVAL_MILLIS = 200;

    /** Longest plain line. */
    private static final int PLAIN_WIDTH = 110;

    private final ProgressBar bar;
    /** The bar's line on the terminal, or null off a terminal. */
    private final ProgressBarConsumer terminal;
    private boolean closed;

    private Progress(ProgressBar bar, ProgressBarConsumer terminal) {
        this.bar = bar;
        this.terminal = terminal;
    }

    /**
     * Starts following work, in the mode the environment asks for ({@link #mode()}).
     *
     * @param err the command's standard error (plain lines go there; the bar goes to the process's standard error)
     * @param task what is done, first on each line
     * @param total the amount of work in steps, or a negative number while unknown ({@link #total})
     * @param unit the unit of the amounts
     * @return the display; close it when the work ends
     */
    public static Progress start(PrintWriter err, String task, long total, Unit unit) {
        return start(err, task, total, unit, mode(), PLAIN_INTERVAL, askedByName() ? Duration.ZERO : DELAY);
    }

    /**
     * @param err where plain lines go
     * @param task what is done
     * @param total the amount of work in steps, or negative while unknown
     * @param unit the unit of the amounts
     * @param mode how to show it
     * @param plainInterval time between two plain lines
     * @param delay nothing is shown before this time
     * @return the display
     */
    static Progress start(PrintWriter err, String task, long total, Unit unit, Mode mode, Duration plainInterval,
            Duration delay) {
        return start(err, task, total, unit, mode, plainInterval, delay, 0);
    }

    /**
     * @param err where plain lines go
     * @param task what is done
     * @param total the amount of work in steps, or negative while unknown
     * @param unit the unit of the amounts
     * @param mode how to show it
     * @param plainInterval time between two plain lines
     * @param delay nothing is shown before this time
     * @param already steps done before this display started (a resumed download): counted as done, not in the rate
     * @return the display
     */
    static Progress start(PrintWriter err, String task, long total, Unit unit, Mode mode, Duration plainInterval,
            Duration delay, long already) {
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        if (mode == Mode.OFF) {
            return new Progress(null, null);
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(unit.name(), unit.size())
                .showSpeed();
        if (already > 0) {
            b.startsFrom(already, Duration.ZERO);
        }
        ProgressBarConsumer consumer;
        if (mode == Mode.BAR) {
            consumer = new TerminalLine();
            b.setStyle(ProgressBarStyle.UNICODE_BLOCK).setUpdateIntervalMillis(BAR_INTERVAL_MILLIS);
        } else {
            consumer = new DelegatingProgressBarConsumer(new PlainLines(err), PLAIN_WIDTH);
            b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis((int) Math.max(1, plainInterval.toMillis()));
        }
        // the bar counts from now (so the rate and the time left are right) but shows nothing before the delay
        Delayed delayed = new Delayed(consumer, delay);
        return new Progress(b.setConsumer(delayed).build(), mode == Mode.BAR ? delayed : null);
    }

    /**
     * @return the mode asked for by {@code -Dautoglm.progress} or {@code AUTOGLM_PROGRESS} ({@code auto}, {@code bar},
     *         {@code plain}, {@code off}); in {@code auto}: {@link Mode#BAR} when standard error is a terminal, else
     *         {@link Mode#PLAIN}
     * @throws IllegalArgumentException for another value
     */
    public static Mode mode() {
        String m = asked();
        return switch (m) {
            case "auto" -> stderrIsTerminal() ? Mode.BAR : Mode.PLAIN;
            case "bar" -> Mode.BAR;
            case "plain" -> Mode.PLAIN;
            case "off", "none" -> Mode.OFF;
            default -> throw new IllegalArgumentException("AUTOGLM_PROGRESS must be auto, bar, plain or off, was '" + m + "'");
        };
    }

    /** @return true when a mode was asked for by name (not {@code auto}): progress is then shown from the start */
    static boolean askedByName() {
        return !asked().equals("auto");
    }

    /** @return the mode asked for, lower case; {@code auto} when nothing is set */
    private static String asked() {
        String v = System.getProperty("autoglm.progress");
        if (v == null || v.isBlank()) {
            v = System.getenv("AUTOGLM_PROGRESS");
        }
        return v == null || v.isBlank() ? "auto" : v.trim().toLowerCase(Locale.ROOT);
    }

    private static boolean stderrIsTerminal() {
        String tty = System.getProperty("autoglm.stderr.tty");
        if (tty != null) {
            return Boolean.parseBoolean(tty);
        }
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** @param total the amount of work in steps, once it is known */
    public synchronized void total(long total) {
        if (bar != null) {
            bar.maxHint(total);
        }
    }

    /** @param done the amount done so far, in steps */
    public synchronized void stepTo(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    /** @param n steps just done */
    public synchronized void stepBy(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** @param message shown after the rate, e.g. the item being worked on */
    public synchronized void message(String message) {
        if (bar != null) {
            bar.setExtraMessage(message == null || message.isEmpty() ? "" : " " + message);
        }
    }

    /**
     * Prints a line of the command's own output so that it scrolls above the bar (on a terminal) instead of being
     * mixed into it; without a bar it is simply printed.
     *
     * @param out where the line goes (usually standard output)
     * @param line the line
     */
    public synchronized void println(PrintWriter out, String line) {
        if (terminal != null) {
            terminal.clear();
        }
        out.println(line);
        out.flush();
        if (terminal != null) {
            bar.refresh();
        }
    }

    /** Shows the last state (when anything was shown) and stops; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** Passes renders on once the delay has passed; before, nothing (and closing prints nothing either). */
    private static final class Delayed implements ProgressBarConsumer {
        private final ProgressBarConsumer consumer;
        private final long showFrom;
        private boolean shown;

        Delayed(ProgressBarConsumer consumer, Duration delay) {
            this.consumer = consumer;
            this.showFrom = System.nanoTime() + delay.toNanos();
        }

        @Override
        public int getMaxRenderedLength() {
            return consumer.getMaxRenderedLength();
        }

        @Override
        public synchronized void accept(String rendered) {
            if (shown || System.nanoTime() - showFrom >= 0) {
                shown = true;
                consumer.accept(rendered);
            }
        }

        @Override
        public synchronized void clear() {
            if (shown) {
                consumer.clear();
            }
        }

        @Override
        public synchronized void close() {
            if (shown) {
                consumer.close();
            }
        }
    }

    /** Plain lines, each printed once (the last periodic line and the closing one are often the same). */
    private static final class PlainLines implements java.util.function.Consumer<String> {
        private final PrintWriter err;
        private String last;

        PlainLines(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void accept(String rendered) {
            String line = rendered.stripTrailing();
            if (!line.equals(last)) {
                last = line;
                err.println(line);
                err.flush();
            }
        }
    }

    /** The bar on the terminal, which can be wiped for a line of output to take its place. */
    private static final class TerminalLine implements ProgressBarConsumer {
        private final ConsoleProgressBarConsumer console = new ConsoleProgressBarConsumer(System.err);
        private boolean closed;

        @Override
        public int getMaxRenderedLength() {
            return console.getMaxRenderedLength();
        }

        @Override
        public synchronized void accept(String rendered) {
            if (!closed) {
                console.accept(rendered);
            }
        }

        /** Overwrites the bar with blanks and returns to the start of its line. */
        @Override
        public synchronized void clear() {
            if (!closed) {
                console.clear();
                System.err.print('\r');
                System.err.flush();
            }
        }

        /** Ends the bar's line; what the progress thread renders afterwards is dropped. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                console.close();
            }
        }
    }
}

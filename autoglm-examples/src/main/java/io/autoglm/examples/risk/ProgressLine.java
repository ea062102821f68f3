package io.autoglm.examples.risk;

import io.autoglm.cli.Progress;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * The demo's phases shown through the CLI's {@link Progress} (a bar with rate and time left on a terminal, plain
 * periodic lines elsewhere): one display per phase, named by the phase up to its first {@code " ("}; the rest (which
 * changes while tuning, e.g. the number of pruned trials) is shown after the rate when it is short.
 */
final class ProgressLine implements RiskDemo.Progress {
    /** A longer detail (the replay's description) would squeeze the bar out of the line: it is left out. */
    private static final int MAX_DETAIL = 32;

    private final PrintWriter err;
    private String task;
    private Progress progress;

    ProgressLine(PrintWriter err) {
        this.err = Objects.requireNonNull(err, "err");
    }

    @Override
    public synchronized void report(String phase, long done, long total) {
        int paren = phase.indexOf(" (");
        String name = paren < 0 ? phase : phase.substring(0, paren);
        if (!name.equals(task)) {
            finish();
            task = name;
            progress = Progress.start(err, name, total, Progress.Unit.of(""));
        }
        String detail = paren < 0 ? "" : phase.substring(paren + 1);
        progress.message(detail.length() <= MAX_DETAIL ? detail : "");
        progress.total(total);
        progress.stepTo(done);
    }

    /** Ends the display of the current phase. */
    synchronized void finish() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }
}

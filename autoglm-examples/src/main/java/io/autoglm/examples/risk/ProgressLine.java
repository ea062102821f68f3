package io.autoglm.examples.risk;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;

/** Progress on stderr: one line per phase, rewritten in place on a console, at most 4 updates a second. */
final class ProgressLine implements RiskDemo.Progress {
    private final PrintWriter err;
    private final boolean console = System.console() != null;
    private String phase;
    private long lastPrint;
    private long phaseStart;
    private long lastDecile = -1;

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void report(String p, long done, long total) {
        long now = System.nanoTime();
        boolean newPhase = !Objects.equals(p, phase) && !(phase != null && p.startsWith("tune") && phase.startsWith("tune"));
        if (newPhase) {
            if (phase != null) {
                err.print(console ? "\n" : "");
            }
            phase = p;
            phaseStart = now;
            lastDecile = -1;
        }
        boolean last = done >= total;
        if (!newPhase && !last && now - lastPrint < 250_000_000L) {
            return;
        }
        if (!console && !newPhase && !last && (total == 0 || done * 10 / total == lastDecile)) {
            return; // in a log: the start, every tenth and the end of each phase
        }
        lastDecile = total == 0 ? 0 : done * 10 / total;
        lastPrint = now;
        String line = String.format(Locale.ROOT, "%-60s %3.0f%% (%,d/%,d) %.1fs", p, total == 0 ? 100 : 100.0 * done / total,
                done, total, (now - phaseStart) / 1e9);
        if (console) {
            err.print("\r" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }

    synchronized void finish() {
        if (console && phase != null) {
            err.println();
            err.flush();
        }
    }
}

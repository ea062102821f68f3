package io.autoglm.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text a tune prints: a table of the trials and a plot of the objective per trial. */
public final class TuneReport {
    private TuneReport() {
    }

    /**
     * @param r the result
     * @return one line per trial: settings, estimated memory, KL divergence, throughput, p50 latency, and why a trial
     *     was pruned; the baseline is marked {@code =}, the best {@code *}
     */
    public static String table(TuneResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%4s %-9s %-7s %3s %5s %5s %3s %5s %3s %8s %8s %8s %8s  %s%n", "#", "state", "quant",
                "thr", "batch", "ubat", "par", "ctx", "fa", "mem MiB", "KL", "tok/s", "p50 ms", "note"));
        for (TrialRecord t : r.trials()) {
            Candidate c = t.candidate();
            String mark = t == r.best() || t.number() == r.best().number() ? "*" : t.baseline() ? "=" : " ";
            sb.append(String.format(Locale.ROOT, "%3d%s %-9s %-7s %3s %5s %5s %3s %5s %3s %8s %8s %8s %8s  %s", t.number(), mark,
                    t.state(), c == null ? "?" : c.quantizeName(), c == null ? "" : c.threads(), c == null ? "" : c.batch(),
                    c == null ? "" : c.ubatch(), c == null ? "" : c.parallel(), c == null ? "" : c.context(),
                    c == null || c.flashAttention() == null ? "-" : c.flashAttention() ? "on" : "off",
                    t.memoryBytes() < 0 ? "" : String.format(Locale.ROOT, "%.0f", MemoryEstimate.mib(t.memoryBytes())),
                    fmt(t.klMean(), "%.4f"), fmt(t.tokensPerSecond(), "%.1f"), fmt(t.p50Millis(), "%.0f"),
                    (t.baseline() ? "defaults " : "") + t.note()).stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String fmt(double v, String f) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "";
    }

    /**
     * @param r the result
     * @param height rows of the plot area, &gt;= 3
     * @return the objective of each complete trial ({@code o}) and the best so far ({@code -}) against the trial number
     */
    public static String plot(TuneResult r, int height) {
        if (height < 3) {
            throw new IllegalArgumentException("height must be >= 3, was " + height);
        }
        TuneObjective obj = r.objective();
        List<TrialRecord> trials = r.trials();
        int n = trials.isEmpty() ? 0 : trials.get(trials.size() - 1).number() + 1;
        double[] value = new double[n];
        double[] best = new double[n];
        java.util.Arrays.fill(value, Double.NaN);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (TrialRecord t : trials) {
            double v = t.value(obj).orElse(Double.NaN);
            value[t.number()] = v;
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double cur = Double.NaN;
        for (int i = 0; i < n; i++) {
            double v = value[i];
            if (Double.isFinite(v) && (Double.isNaN(cur) || (obj == TuneObjective.THROUGHPUT ? v > cur : v < cur))) {
                cur = v;
            }
            best[i] = cur;
        }
        if (!Double.isFinite(lo)) {
            return "(no complete trial to plot)\n";
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        char[][] grid = new char[height][n];
        for (char[] row : grid) {
            java.util.Arrays.fill(row, ' ');
        }
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(best[i])) {
                grid[row(best[i], lo, hi, height)][i] = '-';
            }
            if (Double.isFinite(value[i])) {
                grid[row(value[i], lo, hi, height)][i] = 'o';
            } else {
                grid[height - 1][i] = 'x';
            }
        }
        String unit = obj == TuneObjective.THROUGHPUT ? "tok/s" : "p50 ms";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s per trial (o: trial, -: best so far, x: pruned or failed)%n", unit));
        List<String> labels = new ArrayList<>();
        for (int y = 0; y < height; y++) {
            double v = hi - (hi - lo) * y / (height - 1);
            labels.add(y == 0 || y == height - 1 || y == height / 2 ? String.format(Locale.ROOT, "%9.1f", v) : "");
        }
        for (int y = 0; y < height; y++) {
            sb.append(String.format(Locale.ROOT, "%9s |", labels.get(y))).append(new String(grid[y]).stripTrailing()).append('\n');
        }
        sb.append(" ".repeat(10)).append('+').append("-".repeat(Math.max(1, n))).append('\n');
        sb.append(" ".repeat(11)).append("0").append(n > 1 ? " ".repeat(Math.max(1, n - 1 - String.valueOf(n - 1).length()))
                + (n - 1) : "").append("  trial\n");
        return sb.toString();
    }

    private static int row(double v, double lo, double hi, int height) {
        int r = (int) Math.round((hi - v) / (hi - lo) * (height - 1));
        return Math.max(0, Math.min(height - 1, r));
    }
}

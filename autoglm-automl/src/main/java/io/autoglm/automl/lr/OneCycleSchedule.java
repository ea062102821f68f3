package io.autoglm.automl.lr;

import java.util.Map;

/**
 * One-cycle policy (PyTorch's OneCycleLR, two phases, cosine annealing). With
 * {@code initial = maxLr / divFactor} and {@code min = initial / finalDivFactor}, the rate rises
 * from {@code initial} to {@code maxLr} over steps {@code 0 .. pctStart*total - 1}, then falls to
 * {@code min} at step {@code total - 1}, each phase following
 * {@code cos(start, end, p) = end + (start - end) * (1 + cos(pi p)) / 2} with {@code p} the fraction
 * of the phase done. Steps past {@code total - 1} hold the final rate (PyTorch raises instead).
 */
final class OneCycleSchedule extends ScaledRateSchedule {
    private final long totalSteps;
    private final double pctStart;
    private final double divFactor;
    private final double finalDivFactor;

    OneCycleSchedule(double maxLr, long totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        super("onecycle", "maxLr", Schedules.positive("maxLr", maxLr));
        this.totalSteps = Schedules.positive("totalSteps", totalSteps);
        if (totalSteps < 2) {
            throw new IllegalArgumentException("totalSteps must be >= 2, was " + totalSteps);
        }
        if (!(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("pctStart must be in (0, 1), was " + pctStart);
        }
        this.pctStart = pctStart;
        this.divFactor = Schedules.positive("divFactor", divFactor);
        this.finalDivFactor = Schedules.positive("finalDivFactor", finalDivFactor);
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }

    @Override
    public double learningRate() {
        double maxLr = rate();
        double initial = maxLr / divFactor;
        double min = initial / finalDivFactor;
        double endUp = pctStart * totalSteps - 1;
        double endDown = totalSteps - 1;
        double t = Math.min(stepCount(), totalSteps - 1);
        if (t <= endUp) {
            return anneal(initial, maxLr, endUp <= 0 ? 1.0 : t / endUp);
        }
        return anneal(maxLr, min, (t - endUp) / (endDown - endUp));
    }

    @Override
    void writeConfig(Map<String, Object> m) {
        m.put("totalSteps", totalSteps);
        m.put("pctStart", pctStart);
        m.put("divFactor", divFactor);
        m.put("finalDivFactor", finalDivFactor);
    }

    @Override
    public String toString() {
        return "onecycle(maxLr=" + rate() + ", totalSteps=" + totalSteps + ")";
    }
}

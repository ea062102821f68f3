package io.autoglm.automl.lr;

import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reduce-on-plateau with PyTorch's {@code torch.optim.lr_scheduler.ReduceLROnPlateau} semantics and
 * defaults (mode {@code min}, factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0, min lr 0,
 * eps 1e-8).
 *
 * <p>Each {@link #reportMetric(double)} is one PyTorch {@code step(metrics)}:
 * <ol>
 *   <li>the metric is an improvement if, in mode min, {@code metric < best * (1 - threshold)}
 *       (relative) or {@code metric < best - threshold} (absolute); in mode max,
 *       {@code metric > best * (1 + threshold)} or {@code metric > best + threshold}. {@code best}
 *       starts at +inf (min) or -inf (max). An improvement sets {@code best} and zeroes the bad-epoch
 *       count, anything else increments it;</li>
 *   <li>while in cooldown the cooldown counter is decremented and the bad-epoch count zeroed;</li>
 *   <li>if the bad-epoch count exceeds {@code patience}, the rate becomes
 *       {@code max(lr * factor, minLr)} — only when that lowers it by more than {@code eps} — the
 *       cooldown counter is set to {@code cooldown} and the bad-epoch count zeroed.</li>
 * </ol>
 * {@link #step()} only counts steps: the rate changes on metrics alone.
 *
 * <pre>{@code
 * ReduceLROnPlateau lr = ReduceLROnPlateau.builder(0.1).patience(5).build();
 * // after each evaluation:
 * lr.reportMetric(validationLoss);
 * }</pre>
 */
public final class ReduceLROnPlateau extends AbstractSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(ReduceLROnPlateau.class);

    /** Whether a lower or a higher metric is better. */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    /** How {@code threshold} is applied to the best value. */
    public enum ThresholdMode {
        /** {@code best * (1 -/+ threshold)}. */
        REL,
        /** {@code best -/+ threshold}. */
        ABS
    }

    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;

    private double lr;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private long evaluations;

    private ReduceLROnPlateau(Builder b) {
        super("plateau");
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = b.thresholdMode;
        this.cooldown = b.cooldown;
        this.minLr = b.minLr;
        this.eps = b.eps;
        this.lr = b.lr;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /**
     * @param initialLr the starting learning rate, finite and {@code >= 0}
     * @return a builder with PyTorch's defaults
     */
    public static Builder builder(double initialLr) {
        return new Builder(initialLr);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** @return the best metric seen so far (+/-inf before the first report) */
    public double best() {
        return best;
    }

    /** @return the current count of evaluations without improvement */
    public int badEpochs() {
        return numBadEpochs;
    }

    private boolean isBetter(double a) {
        return switch (mode) {
            case MIN -> thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
            case MAX -> thresholdMode == ThresholdMode.REL ? a > best * (1 + threshold) : a > best + threshold;
        };
    }

    @Override
    public void reportMetric(double metric) {
        if (Double.isNaN(metric)) {
            throw new IllegalArgumentException("metric must not be NaN (evaluation " + (evaluations + 1) + ")");
        }
        evaluations++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            double newLr = Math.max(lr * factor, minLr);
            if (lr - newLr > eps) {
                LOG.debug("evaluation {}: reducing learning rate {} -> {}", evaluations, lr, newLr);
                lr = newLr;
            }
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
    }

    @Override
    public void scale(double f) {
        lr *= Schedules.positive("factor", f);
    }

    @Override
    void writeState(Map<String, Object> m) {
        m.put("mode", mode.name().toLowerCase(Locale.ROOT));
        m.put("factor", factor);
        m.put("patience", patience);
        m.put("threshold", threshold);
        m.put("thresholdMode", thresholdMode.name().toLowerCase(Locale.ROOT));
        m.put("cooldown", cooldown);
        m.put("minLr", minLr);
        m.put("eps", eps);
        m.put("lr", lr);
        m.put("best", best);
        m.put("numBadEpochs", numBadEpochs);
        m.put("cooldownCounter", cooldownCounter);
        m.put("evaluations", evaluations);
    }

    @Override
    void readState(Map<String, ?> state) {
        lr = Schedules.num(state, "lr");
        best = Schedules.num(state, "best");
        numBadEpochs = (int) Schedules.lng(state, "numBadEpochs");
        cooldownCounter = (int) Schedules.lng(state, "cooldownCounter");
        evaluations = Schedules.lng(state, "evaluations");
    }

    @Override
    public String toString() {
        return "plateau(lr=" + lr + ", mode=" + mode + ", factor=" + factor + ", patience=" + patience + ")";
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private final double lr;
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown = 0;
        private double minLr = 0;
        private double eps = 1e-8;

        private Builder(double lr) {
            this.lr = Schedules.nonNegative("learning rate", lr);
        }

        /** @param v min (default) or max @return this */
        public Builder mode(Mode v) {
            this.mode = java.util.Objects.requireNonNull(v, "mode");
            return this;
        }

        /** @param v reduction factor in (0, 1), default 0.1 @return this */
        public Builder factor(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("factor must be in (0, 1), was " + v);
            }
            this.factor = v;
            return this;
        }

        /** @param v bad evaluations tolerated before reducing, {@code >= 0}, default 10 @return this */
        public Builder patience(int v) {
            this.patience = Schedules.nonNegative("patience", v);
            return this;
        }

        /** @param v improvement threshold {@code >= 0}, default 1e-4 @return this */
        public Builder threshold(double v) {
            this.threshold = Schedules.nonNegative("threshold", v);
            return this;
        }

        /** @param v relative (default) or absolute threshold @return this */
        public Builder thresholdMode(ThresholdMode v) {
            this.thresholdMode = java.util.Objects.requireNonNull(v, "thresholdMode");
            return this;
        }

        /** @param v evaluations to wait after a reduction, {@code >= 0}, default 0 @return this */
        public Builder cooldown(int v) {
            this.cooldown = Schedules.nonNegative("cooldown", v);
            return this;
        }

        /** @param v lower bound of the rate, {@code >= 0}, default 0 @return this */
        public Builder minLr(double v) {
            this.minLr = Schedules.nonNegative("minLr", v);
            return this;
        }

        /** @param v smallest change applied, {@code >= 0}, default 1e-8 @return this */
        public Builder eps(double v) {
            this.eps = Schedules.nonNegative("eps", v);
            return this;
        }

        /** @return the schedule */
        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}

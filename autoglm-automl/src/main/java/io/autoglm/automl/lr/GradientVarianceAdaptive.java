package io.autoglm.automl.lr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradient-variance adaptive learning rate: the rate follows the relative spread and the trend of
 * recent gradient norms.
 *
 * <h2>Maths</h2>
 * The loop reports the norm {@code g_t = ||grad_t||} of every update. The schedule keeps the last
 * {@code n <= window} norms since its last adjustment, in time order, and, once {@code n >= minSamples}
 * and the cooldown has passed, computes after every report
 * <pre>
 *   mean   = (1/n) sum_i g_i
 *   sd     = sqrt( (1/(n-1)) sum_i (g_i - mean)^2 )
 *   cv     = sd / mean                                   coefficient of variation
 *   h      = floor(n/2)
 *   growth = mean(newest h norms) / mean(oldest h norms)  trend of the gradient scale
 * </pre>
 * and decides
 * <pre>
 *   cv &gt; highCv  or  growth &gt; growthLimit  -&gt;  lr = max(minLr, lr * decreaseFactor)   unstable
 *   cv &lt; lowCv   and growth &lt;= 1           -&gt;  lr = min(maxLr, lr * increaseFactor)   steady, not diverging
 *   otherwise                                -&gt;  keep lr
 * </pre>
 * Both statistics are ratios of norms, so the thresholds do not depend on the scale of the gradients
 * (the seed's rule compared the raw variance with absolute constants, which depends on the model,
 * the loss and the batch size; multiplying every norm by 1000 leaves every decision unchanged here).
 * Why these two: with a rate far too small, consecutive mini-batch norms differ only by sampling
 * noise and shrink slowly, so {@code cv} is small (about 0.1-0.25 for a batch of 32 on digits); a
 * usable rate makes the norms fall fast and fluctuate ({@code cv} 0.3-1); a rate too large makes the
 * norms grow from one half of the window to the next ({@code growth > 1}), or spike ({@code cv > 2}).
 * After an adjustment the window is emptied (its norms were produced by the old rate) and no decision
 * is taken for {@code cooldown} further reports; then it needs {@code minSamples} fresh norms again,
 * which bounds the speed of change to one factor per {@code max(minSamples, cooldown + 1)} updates.
 *
 * <p>Norms are never NaN or infinite here: such a gradient must be caught before (see
 * {@code io.autoglm.automl.monitor.ExplosionDetector}); reporting one is an
 * {@link IllegalArgumentException}. A window whose mean is 0 (no gradient at all) takes no decision.
 *
 * <p>Defaults: window 100, minSamples 10, highCv 2, lowCv 0.3, growthLimit 1.25, decreaseFactor 0.5,
 * increaseFactor 2, cooldown 0, bounds {@code [initialLr / 1e4, initialLr * 1e4]}.
 *
 * <pre>{@code
 * GradientVarianceAdaptive lr = GradientVarianceAdaptive.builder(0.01).build();
 * double rate = lr.learningRate();
 * // ... compute the gradient, update with rate ...
 * lr.reportGradientNorm(gradientNorm);
 * lr.step();
 * }</pre>
 */
public final class GradientVarianceAdaptive extends AbstractSchedule {
    private static final Logger LOG = LoggerFactory.getLogger(GradientVarianceAdaptive.class);

    private final int window;
    private final int minSamples;
    private final double highCv;
    private final double lowCv;
    private final double growthLimit;
    private final double decreaseFactor;
    private final double increaseFactor;
    private final int cooldown;
    private double minLr;
    private double maxLr;

    private double lr;
    private final double[] ring;
    private int count;
    private int head;
    private int cooldownLeft;
    private long increases;
    private long decreases;
    private double lastCv = Double.NaN;
    private double lastGrowth = Double.NaN;

    private GradientVarianceAdaptive(Builder b) {
        super("adaptive");
        this.window = b.window;
        this.minSamples = b.minSamples;
        this.highCv = b.highCv;
        this.lowCv = b.lowCv;
        this.growthLimit = b.growthLimit;
        this.decreaseFactor = b.decreaseFactor;
        this.increaseFactor = b.increaseFactor;
        this.cooldown = b.cooldown;
        this.minLr = Double.isNaN(b.minLr) ? b.lr / 1e4 : b.minLr;
        this.maxLr = Double.isNaN(b.maxLr) ? b.lr * 1e4 : b.maxLr;
        if (minLr > maxLr) {
            throw new IllegalArgumentException("minLr " + minLr + " must be <= maxLr " + maxLr);
        }
        if (b.lr < minLr || b.lr > maxLr) {
            throw new IllegalArgumentException("initial learning rate " + b.lr + " must be in [minLr " + minLr
                    + ", maxLr " + maxLr + "]");
        }
        this.lr = b.lr;
        this.ring = new double[window];
    }

    /**
     * @param initialLr the starting learning rate, finite and {@code > 0}
     * @return a builder with the defaults listed in the class comment
     */
    public static Builder builder(double initialLr) {
        return new Builder(initialLr);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** @return how many times the rate was increased */
    public long increases() {
        return increases;
    }

    /** @return how many times the rate was decreased */
    public long decreases() {
        return decreases;
    }

    /** @return the coefficient of variation of the last evaluation of the window; empty before the first */
    public java.util.OptionalDouble lastCoefficientOfVariation() {
        return Double.isNaN(lastCv) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(lastCv);
    }

    /** @return the growth ratio (newer half / older half) of the last evaluation of the window; empty before */
    public java.util.OptionalDouble lastGrowth() {
        return Double.isNaN(lastGrowth) ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(lastGrowth);
    }

    /** @return the number of norms currently in the window */
    public int windowSize() {
        return count;
    }

    @Override
    public void reportGradientNorm(double norm) {
        Schedules.checkNorm(norm);
        ring[head] = norm;
        head = (head + 1) % window;
        if (count < window) {
            count++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            return;
        }
        if (count < minSamples) {
            return;
        }
        // the ring holds the window in time order starting at 'oldest'
        int oldest = count < window ? 0 : head;
        int half = count / 2;
        double mean = 0;
        double older = 0;
        double newer = 0;
        for (int i = 0; i < count; i++) {
            double v = ring[(oldest + i) % window];
            mean += v;
            if (i < half) {
                older += v;
            } else if (i >= count - half) {
                newer += v;
            }
        }
        mean /= count;
        if (mean <= 0 || older <= 0) {
            return; // no gradient at all: nothing to learn from
        }
        double ss = 0;
        for (int i = 0; i < count; i++) {
            double d = ring[i] - mean;
            ss += d * d;
        }
        double cv = Math.sqrt(ss / (count - 1)) / mean;
        double growth = newer / older;
        lastCv = cv;
        lastGrowth = growth;
        double old = lr;
        if (cv > highCv || growth > growthLimit) {
            lr = Math.max(minLr, lr * decreaseFactor);
            if (lr < old) {
                decreases++;
            }
        } else if (cv < lowCv && growth <= 1) {
            lr = Math.min(maxLr, lr * increaseFactor);
            if (lr > old) {
                increases++;
            }
        }
        if (lr != old) {
            LOG.debug("step {}: gradient-norm cv {} growth {} over {} norms, learning rate {} -> {}", stepCount(), cv,
                    growth, count, old, lr);
            clearWindow();
            cooldownLeft = cooldown;
        }
    }

    private void clearWindow() {
        count = 0;
        head = 0;
    }

    /** Empties the window, for example after a checkpoint was restored. */
    public void resetWindow() {
        clearWindow();
    }

    @Override
    public void scale(double factor) {
        Schedules.positive("factor", factor);
        lr = Math.min(maxLr, Math.max(minLr, lr * factor));
        clearWindow();
    }

    @Override
    void writeState(Map<String, Object> m) {
        m.put("window", window);
        m.put("minSamples", minSamples);
        m.put("highCv", highCv);
        m.put("lowCv", lowCv);
        m.put("growthLimit", growthLimit);
        m.put("decreaseFactor", decreaseFactor);
        m.put("increaseFactor", increaseFactor);
        m.put("cooldown", cooldown);
        m.put("minLr", minLr);
        m.put("maxLr", maxLr);
        m.put("lr", lr);
        List<Double> norms = new ArrayList<>(count);
        int start = count < window ? 0 : head;
        for (int i = 0; i < count; i++) {
            norms.add(ring[(start + i) % window]);
        }
        m.put("norms", norms);
        m.put("cooldownLeft", cooldownLeft);
    }

    @Override
    void writeTrailingState(Map<String, Object> m) {
        m.put("increases", increases);
        m.put("decreases", decreases);
    }

    @Override
    void readState(Map<String, ?> state) {
        if (Schedules.lng(state, "window") != window) {
            throw new IllegalArgumentException("state has window " + state.get("window") + ", this schedule " + window);
        }
        Object n = state.get("norms");
        if (!(n instanceof List<?> list) || list.size() > window) {
            throw new IllegalArgumentException("state field 'norms' missing or longer than the window: " + n);
        }
        double newLr = Schedules.num(state, "lr");
        clearWindow();
        for (Object o : list) {
            if (!(o instanceof Number num)) {
                throw new IllegalArgumentException("state field 'norms' holds a non-number: " + o);
            }
            ring[head] = num.doubleValue();
            head = (head + 1) % window;
            count++;
        }
        lr = newLr;
        minLr = Schedules.num(state, "minLr");
        maxLr = Schedules.num(state, "maxLr");
        cooldownLeft = (int) Schedules.lng(state, "cooldownLeft");
    }

    @Override
    void readTrailingState(Map<String, ?> state) {
        increases = Schedules.lng(state, "increases");
        decreases = Schedules.lng(state, "decreases");
    }

    @Override
    public String toString() {
        return "adaptive(lr=" + lr + ", window=" + window + ", cv in [" + lowCv + ", " + highCv + "])";
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private final double lr;
        private int window = 100;
        private int minSamples = 10;
        private double highCv = 2.0;
        private double lowCv = 0.3;
        private double growthLimit = 1.25;
        private double decreaseFactor = 0.5;
        private double increaseFactor = 2.0;
        private int cooldown = 0;
        private double minLr = Double.NaN;
        private double maxLr = Double.NaN;

        private Builder(double lr) {
            this.lr = Schedules.positive("learning rate", lr);
        }

        /** @param v most recent norms kept, {@code >= 2}, default 100 @return this */
        public Builder window(int v) {
            if (v < 2) {
                throw new IllegalArgumentException("window must be >= 2, was " + v);
            }
            this.window = v;
            if (minSamples > v) {
                minSamples = v;
            }
            return this;
        }

        /** @param v norms needed before a decision, in [2, window], default 10 @return this */
        public Builder minSamples(int v) {
            if (v < 2 || v > window) {
                throw new IllegalArgumentException("minSamples must be in [2, window=" + window + "], was " + v);
            }
            this.minSamples = v;
            return this;
        }

        /**
         * @param low coefficient of variation under which the rate grows, {@code > 0}
         * @param high coefficient of variation over which the rate shrinks, {@code > low}
         * @return this
         */
        public Builder cvThresholds(double low, double high) {
            Schedules.positive("lowCv", low);
            Schedules.positive("highCv", high);
            if (high <= low) {
                throw new IllegalArgumentException("highCv must be > lowCv " + low + ", was " + high);
            }
            this.lowCv = low;
            this.highCv = high;
            return this;
        }

        /**
         * @param v the rate shrinks when the mean norm of the newer half of the window exceeds {@code v}
         *     times that of the older half; {@code > 1}, default 1.25
         * @return this
         */
        public Builder growthLimit(double v) {
            if (!(v > 1 && Double.isFinite(v))) {
                throw new IllegalArgumentException("growthLimit must be finite and > 1, was " + v);
            }
            this.growthLimit = v;
            return this;
        }

        /** @param v multiplier on a decrease, in (0, 1), default 0.5 @return this */
        public Builder decreaseFactor(double v) {
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("decreaseFactor must be in (0, 1), was " + v);
            }
            this.decreaseFactor = v;
            return this;
        }

        /** @param v multiplier on an increase, {@code > 1} and finite, default 2 @return this */
        public Builder increaseFactor(double v) {
            if (!(v > 1 && Double.isFinite(v))) {
                throw new IllegalArgumentException("increaseFactor must be finite and > 1, was " + v);
            }
            this.increaseFactor = v;
            return this;
        }

        /** @param v reports ignored after an adjustment, {@code >= 0}, default 0 @return this */
        public Builder cooldown(int v) {
            this.cooldown = Schedules.nonNegative("cooldown", v);
            return this;
        }

        /**
         * @param min lowest rate, finite and {@code > 0}
         * @param max highest rate, finite and {@code >= min}
         * @return this
         */
        public Builder bounds(double min, double max) {
            Schedules.positive("minLr", min);
            Schedules.positive("maxLr", max);
            if (max < min) {
                throw new IllegalArgumentException("maxLr must be >= minLr " + min + ", was " + max);
            }
            this.minLr = min;
            this.maxLr = max;
            return this;
        }

        /** @return the schedule */
        public GradientVarianceAdaptive build() {
            return new GradientVarianceAdaptive(this);
        }
    }
}

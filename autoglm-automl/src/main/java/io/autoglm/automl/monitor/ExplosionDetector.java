package io.autoglm.automl.monitor;

import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradient-explosion detector: a norm is an explosion when it is NaN, infinite, or larger than
 * {@code k} times the median of the last {@code window} healthy norms (checked once at least
 * {@code minSamples} finite norms were seen) and, if {@link Builder#aboveWindowMax} is set, larger than
 * that multiple of the window's largest norm. Every finite norm joins the window after the test, so a
 * lasting change of scale is absorbed within half a window while the median stays robust to single
 * spikes.
 *
 * <pre>{@code
 * ExplosionDetector d = ExplosionDetector.builder().factor(10).build();
 * d.addListener(Actions.lowerLearningRate(schedule, 0.1));
 * if (!d.observe(step, gradNorm)) { skip this update }
 * }</pre>
 */
public final class ExplosionDetector {
    private static final Logger LOG = LoggerFactory.getLogger(ExplosionDetector.class);

    private final double factor;
    private final int minSamples;
    private final double maxFactor;
    private final double[] ring;
    private int count;
    private int head;
    private long explosions;
    private final Listeners listeners = new Listeners(LOG);

    private ExplosionDetector(Builder b) {
        this.factor = b.factor;
        this.minSamples = b.minSamples;
        this.maxFactor = b.maxFactor;
        this.ring = new double[b.window];
    }

    /** @return a builder: factor 10, window 100, minSamples 5 */
    public static Builder builder() {
        return new Builder();
    }

    /** @param listener called on every explosion @return this */
    public ExplosionDetector addListener(MonitorListener listener) {
        listeners.add(listener);
        return this;
    }

    /** @return the median of the norms in the window; empty before the first finite norm */
    public java.util.OptionalDouble runningMedian() {
        return count == 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(median());
    }

    private double median() {
        double[] copy = Arrays.copyOf(ring, count);
        Arrays.sort(copy);
        return count % 2 == 1 ? copy[count / 2] : (copy[count / 2 - 1] + copy[count / 2]) / 2;
    }

    private double windowMax() {
        double m = 0;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, ring[i]);
        }
        return m;
    }

    /** @return how many explosions were detected */
    public long explosions() {
        return explosions;
    }

    /**
     * @param step the training step, for the event
     * @param norm the gradient norm of this step (any value: NaN and infinities are events)
     * @return {@code true} if healthy, {@code false} if an explosion event was fired (skip the update)
     * @throws IllegalArgumentException if {@code norm} is negative
     */
    public boolean observe(long step, double norm) {
        if (norm < 0) {
            throw new IllegalArgumentException("gradient norm must be >= 0, was " + norm);
        }
        if (!Double.isFinite(norm)) {
            explosions++;
            listeners.fire(new MonitorEvent(MonitorEvent.Type.NON_FINITE_GRADIENT, step, norm,
                    "non-finite gradient norm " + norm, Map.of()));
            return false;
        }
        boolean ok = true;
        if (count >= minSamples) {
            double median = median();
            if (norm > factor * median && (maxFactor == 0 || norm > maxFactor * windowMax())) {
                explosions++;
                ok = false;
                listeners.fire(new MonitorEvent(MonitorEvent.Type.GRADIENT_EXPLOSION, step, norm,
                        String.format(java.util.Locale.ROOT, "gradient norm %.4g > %.3g x running median %.4g",
                                norm, factor, median),
                        Map.of("median", median, "factor", factor)));
            }
        }
        ring[head] = norm;
        head = (head + 1) % ring.length;
        if (count < ring.length) {
            count++;
        }
        return ok;
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private double factor = 10;
        private int window = 100;
        private int minSamples = 5;
        private double maxFactor = 0;

        private Builder() {
        }

        /** @param v k: the multiple of the running median that counts as an explosion, {@code > 1} @return this */
        public Builder factor(double v) {
            if (!(v > 1 && Double.isFinite(v))) {
                throw new IllegalArgumentException("factor must be finite and > 1, was " + v);
            }
            this.factor = v;
            return this;
        }

        /**
         * Also requires an exploding norm to exceed {@code v} times the largest norm in the window, which
         * keeps the heavy-tailed norms of a nearly converged model (many batches with almost no gradient,
         * a few with one badly fitted sample) from counting as explosions. 0 (the default) disables it.
         *
         * @param v 0, or a factor {@code >= 1}
         * @return this
         */
        public Builder aboveWindowMax(double v) {
            if (!(v == 0 || (v >= 1 && Double.isFinite(v)))) {
                throw new IllegalArgumentException("aboveWindowMax must be 0 or finite and >= 1, was " + v);
            }
            this.maxFactor = v;
            return this;
        }

        /** @param v norms kept for the median, {@code >= 1} @return this */
        public Builder window(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("window must be >= 1, was " + v);
            }
            this.window = v;
            return this;
        }

        /** @param v norms needed before the median test applies, {@code >= 1} @return this */
        public Builder minSamples(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("minSamples must be >= 1, was " + v);
            }
            this.minSamples = v;
            return this;
        }

        /** @return the detector */
        public ExplosionDetector build() {
            if (minSamples > window) {
                throw new IllegalArgumentException("minSamples " + minSamples + " must be <= window " + window);
            }
            return new ExplosionDetector(this);
        }
    }
}

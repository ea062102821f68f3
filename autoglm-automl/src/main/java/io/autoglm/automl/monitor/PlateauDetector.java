package io.autoglm.automl.monitor;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plateau and degradation detection over evaluation metrics.
 *
 * <ul>
 *   <li>{@link MonitorEvent.Type#PLATEAU}: no improvement over the best value (by more than
 *       {@code minDelta}) for {@code patience} consecutive evaluations; fired once per plateau.</li>
 *   <li>{@link MonitorEvent.Type#DEGRADATION}: the metric got worse than the previous evaluation
 *       {@code degradationRuns} times in a row (default 3, the seed's structural alarm); fired once per
 *       run of worsenings.</li>
 *   <li>{@link MonitorEvent.Type#NON_FINITE_LOSS}: a NaN or infinite metric (it counts as a worsening).</li>
 * </ul>
 */
public final class PlateauDetector {
    private static final Logger LOG = LoggerFactory.getLogger(PlateauDetector.class);

    private final boolean minimize;
    private final int patience;
    private final int degradationRuns;
    private final double minDelta;
    private final Listeners listeners = new Listeners(LOG);

    private double best;
    private double previous = Double.NaN;
    private int sinceBest;
    private int worseRun;
    private long evaluations;

    private PlateauDetector(Builder b) {
        this.minimize = b.minimize;
        this.patience = b.patience;
        this.degradationRuns = b.degradationRuns;
        this.minDelta = b.minDelta;
        this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** @return a builder: minimise, patience 10, degradationRuns 3, minDelta 0 */
    public static Builder builder() {
        return new Builder();
    }

    /** @param listener called on every event @return this */
    public PlateauDetector addListener(MonitorListener listener) {
        listeners.add(listener);
        return this;
    }

    /** @return the best metric so far */
    public double best() {
        return best;
    }

    /**
     * @param metric this evaluation's metric
     * @return the event fired, if any ({@code null} otherwise)
     */
    public MonitorEvent observe(double metric) {
        long idx = evaluations++;
        if (!Double.isFinite(metric)) {
            worseRun++;
            sinceBest++;
            MonitorEvent e = new MonitorEvent(MonitorEvent.Type.NON_FINITE_LOSS, idx, metric,
                    "non-finite evaluation metric " + metric, Map.of());
            listeners.fire(e);
            return e;
        }
        boolean improved = minimize ? metric < best - minDelta : metric > best + minDelta;
        if (improved) {
            best = metric;
            sinceBest = 0;
        } else {
            sinceBest++;
        }
        boolean worse = !Double.isNaN(previous) && (minimize ? metric > previous : metric < previous);
        worseRun = worse ? worseRun + 1 : 0;
        previous = metric;
        MonitorEvent e = null;
        if (worseRun == degradationRuns) {
            e = new MonitorEvent(MonitorEvent.Type.DEGRADATION, idx, metric,
                    "metric worse for " + degradationRuns + " consecutive evaluations (now " + metric + ")",
                    Map.of("best", best));
        } else if (sinceBest == patience) {
            e = new MonitorEvent(MonitorEvent.Type.PLATEAU, idx, metric,
                    "no improvement for " + patience + " evaluations (best " + best + ")", Map.of("best", best));
        }
        if (e != null) {
            listeners.fire(e);
        }
        return e;
    }

    /** Builder; every setter validates at once. */
    public static final class Builder {
        private boolean minimize = true;
        private int patience = 10;
        private int degradationRuns = 3;
        private double minDelta = 0;

        private Builder() {
        }

        /** @param v {@code true} (default) if lower is better @return this */
        public Builder minimize(boolean v) {
            this.minimize = v;
            return this;
        }

        /** @param v evaluations without improvement before a plateau event, {@code >= 1} @return this */
        public Builder patience(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("patience must be >= 1, was " + v);
            }
            this.patience = v;
            return this;
        }

        /** @param v consecutive worsenings before a degradation event, {@code >= 1} @return this */
        public Builder degradationRuns(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("degradationRuns must be >= 1, was " + v);
            }
            this.degradationRuns = v;
            return this;
        }

        /** @param v smallest change that counts as an improvement, finite {@code >= 0} @return this */
        public Builder minDelta(double v) {
            if (!(v >= 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException("minDelta must be finite and >= 0, was " + v);
            }
            this.minDelta = v;
            return this;
        }

        /** @return the detector */
        public PlateauDetector build() {
            return new PlateauDetector(this);
        }
    }
}

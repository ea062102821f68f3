package io.autoglm.automl.monitor;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a model's predictions in production: collects them in tumbling windows of {@code window}
 * predictions and compares each full window with the reference predictions (class labels as
 * categories, scores over reference-quantile bins), with the same scores as {@link DriftDetector}.
 * A drifted window fires {@link MonitorEvent.Type#PREDICTION_DRIFT}.
 *
 * <pre>{@code
 * PredictionDriftMonitor m = PredictionDriftMonitor.forClasses(validationPredictions, 500, 0.1);
 * m.addListener(Actions.alert(e -> pager.send(e.message())));
 * m.observe(predictedClass); // per prediction
 * }</pre>
 */
public final class PredictionDriftMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionDriftMonitor.class);

    private final DriftDetector detector;
    private final double[][] buffer;
    private int filled;
    private long windows;
    private final Listeners listeners = new Listeners(LOG);

    private PredictionDriftMonitor(DriftDetector detector, int window) {
        this.detector = detector;
        this.buffer = new double[window][1];
    }

    /**
     * @param referenceLabels predicted classes on reference data
     * @param window predictions per comparison, {@code >= 10}
     * @param threshold KL threshold, {@code > 0}
     * @return a monitor of class predictions
     */
    public static PredictionDriftMonitor forClasses(int[] referenceLabels, int window, double threshold) {
        double[][] ref = new double[referenceLabels.length][1];
        for (int i = 0; i < ref.length; i++) {
            ref[i][0] = referenceLabels[i];
        }
        return new PredictionDriftMonitor(DriftDetector.builder().threshold(threshold).categorical(0)
                .featureNames(java.util.List.of("predicted class")).build(ref), checkWindow(window));
    }

    /**
     * @param referenceScores predicted scores (probabilities, regressions) on reference data, no NaN
     * @param window predictions per comparison, {@code >= 10}
     * @param threshold KL threshold, {@code > 0}
     * @return a monitor of numeric predictions
     */
    public static PredictionDriftMonitor forScores(double[] referenceScores, int window, double threshold) {
        double[][] ref = new double[referenceScores.length][1];
        for (int i = 0; i < ref.length; i++) {
            ref[i][0] = referenceScores[i];
        }
        return new PredictionDriftMonitor(DriftDetector.builder().threshold(threshold)
                .featureNames(java.util.List.of("prediction")).build(ref), checkWindow(window));
    }

    private static int checkWindow(int window) {
        if (window < 10) {
            throw new IllegalArgumentException("window must be >= 10, was " + window);
        }
        return window;
    }

    /** @param listener called when a window drifted @return this */
    public PredictionDriftMonitor addListener(MonitorListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * @param prediction one prediction (class index or score); NaN is rejected
     * @return the window's scores when this prediction completed a window
     * @throws IllegalArgumentException if {@code prediction} is NaN
     */
    public Optional<FeatureDrift> observe(double prediction) {
        if (Double.isNaN(prediction)) {
            throw new IllegalArgumentException("prediction must not be NaN");
        }
        buffer[filled++][0] = prediction;
        if (filled < buffer.length) {
            return Optional.empty();
        }
        filled = 0;
        FeatureDrift f = detector.compare(buffer).features().getFirst();
        long idx = windows++;
        if (f.drifted()) {
            listeners.fire(new MonitorEvent(MonitorEvent.Type.PREDICTION_DRIFT, idx, f.kl(),
                    "prediction drift: KL " + f.kl() + ", PSI " + f.psi(), Map.of("kl", f.kl(), "psi", f.psi())));
        }
        return Optional.of(f);
    }
}

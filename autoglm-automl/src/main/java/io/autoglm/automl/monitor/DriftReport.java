package io.autoglm.automl.monitor;

import java.util.List;

/**
 * Result of comparing a live sample with the reference.
 *
 * @param features one entry per feature, in column order
 * @param threshold the threshold applied
 * @param metric the score compared with the threshold
 * @param liveRows rows in the live sample
 */
public record DriftReport(List<FeatureDrift> features, double threshold, DriftDetector.Metric metric, int liveRows) {

    /** Copies the list. */
    public DriftReport {
        features = List.copyOf(features);
    }

    /** @return whether any feature drifted */
    public boolean anyDrift() {
        return features.stream().anyMatch(FeatureDrift::drifted);
    }

    /** @return the features that drifted */
    public List<FeatureDrift> drifted() {
        return features.stream().filter(FeatureDrift::drifted).toList();
    }

    /** @return the names of the features that drifted */
    public List<String> driftedNames() {
        return features.stream().filter(FeatureDrift::drifted).map(FeatureDrift::name).toList();
    }
}

package io.autoglm.automl.monitor;

/**
 * Drift scores of one feature.
 *
 * @param index the feature's column
 * @param name the feature's name
 * @param categorical whether it was compared as categories (otherwise over quantile bins)
 * @param kl {@code KL(live || reference)} over the bins, in nats
 * @param psi population stability index over the same bins
 * @param drifted whether the score chosen by the detector exceeded its threshold
 */
public record FeatureDrift(int index, String name, boolean categorical, double kl, double psi, boolean drifted) {
}

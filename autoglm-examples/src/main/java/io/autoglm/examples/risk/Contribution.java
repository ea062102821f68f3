package io.autoglm.examples.risk;

/**
 * One feature's contribution to a score.
 *
 * @param feature the feature's name
 * @param value its value for this transaction
 * @param contribution its SHAP value, in log-odds (positive pushes towards fraud)
 */
public record Contribution(String feature, double value, double contribution) {
}

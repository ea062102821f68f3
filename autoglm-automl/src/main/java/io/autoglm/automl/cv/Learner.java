package io.autoglm.automl.cv;

import java.util.Map;

/**
 * A model family whose hyperparameters a {@link SearchCV} tunes.
 *
 * <pre>{@code
 * Learner<double[][]> centroids = new Learner<>() {
 *     public double[][] fit(double[][] x, double[] y, Map<String, Object> params) { ... }
 *     public double score(double[][] model, double[][] x, double[] y) { ... accuracy ... }
 * };
 * }</pre>
 *
 * @param <M> the fitted model type
 */
public interface Learner<M> {
    /**
     * Fits a model.
     *
     * @param x training rows (do not modify)
     * @param y training targets (class labels as doubles for classifiers)
     * @param params hyperparameters by name: Double for float, Integer for int, the choice itself for categorical
     * @return the fitted model
     * @throws Exception on failure; the candidate is then recorded as failed and the search goes on
     */
    M fit(double[][] x, double[] y, Map<String, Object> params) throws Exception;

    /**
     * Scores a fitted model on held-out rows; higher is better (use a negated loss for errors).
     *
     * @param model a model returned by {@link #fit}
     * @param x held-out rows
     * @param y held-out targets
     * @return the score, finite
     * @throws Exception on failure
     */
    double score(M model, double[][] x, double[] y) throws Exception;
}

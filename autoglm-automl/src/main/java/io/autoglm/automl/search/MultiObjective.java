package io.autoglm.automl.search;

/** A define-by-run objective with one value per study direction. */
@FunctionalInterface
public interface MultiObjective {
    /**
     * @param trial the trial
     * @return one value per direction of the study
     * @throws Exception any failure (recorded as FAIL); {@link TrialPrunedException} makes the trial PRUNED
     */
    double[] evaluate(Trial trial) throws Exception;
}

package io.autoglm.automl.search;

/** A define-by-run objective: suggests parameters on the trial and returns the value to optimise. */
@FunctionalInterface
public interface Objective {
    /**
     * @param trial the trial to suggest parameters from and report to
     * @return the objective value (NaN or infinite values make the trial FAIL)
     * @throws Exception any failure, recorded as a FAIL trial with its message;
     *     {@link TrialPrunedException} makes the trial PRUNED
     */
    double evaluate(Trial trial) throws Exception;
}

package io.autoglm.automl.search;

/**
 * Decides from the intermediate values a trial reported whether it should stop early.
 * Implementations come from {@link Pruners}.
 */
@FunctionalInterface
public interface Pruner {
    /**
     * @param study the study
     * @param trial the running trial with its intermediate values
     * @return true when the trial should be pruned
     */
    boolean prune(Study study, FrozenTrial trial);
}

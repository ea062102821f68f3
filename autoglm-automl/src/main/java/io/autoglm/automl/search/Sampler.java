package io.autoglm.automl.search;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Proposes parameter values. A sampler may sample some parameters jointly ("relative" sampling, once
 * per trial before the objective runs, over a search space inferred from past trials) and samples the
 * rest one at a time when the objective suggests them ("independent" sampling). All values are in
 * internal form (see {@link Distribution}). Randomness comes only from the generator passed in, which
 * the study derives from {@link #seed()} and the trial number, so a single-threaded study whose sampler
 * has a fixed seed is reproducible.
 *
 * <p>The samplers of this package are built by {@link Samplers} ({@code Samplers.tpe().seed(42).build()}).
 */
public interface Sampler {

    /**
     * @return the seed the study derives every trial's random generator from (with the trial number); the
     *     built-in samplers draw a random one when none was given to their builder
     */
    long seed();

    /**
     * @param study the study
     * @param trial the trial about to run
     * @return the parameters to sample jointly (empty for purely independent samplers)
     */
    default Map<String, Distribution> relativeSearchSpace(Study study, FrozenTrial trial) {
        return Map.of();
    }

    /**
     * @param study the study
     * @param trial the trial about to run
     * @param space the space returned by {@link #relativeSearchSpace}
     * @param rng this trial's generator
     * @return internal values for some or all parameters of {@code space}
     */
    default Map<String, Double> sampleRelative(Study study, FrozenTrial trial, Map<String, Distribution> space,
            RandomGenerator rng) {
        return Map.of();
    }

    /**
     * @param study the study
     * @param trial the running trial
     * @param name parameter name
     * @param distribution its distribution
     * @param rng this trial's generator
     * @return an internal value contained in {@code distribution}
     */
    double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution, RandomGenerator rng);

    /**
     * Called when a trial of this process finished.
     *
     * @param study the study
     * @param trial the finished trial
     */
    default void afterTrial(Study study, FrozenTrial trial) {
    }
}

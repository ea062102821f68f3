package io.autoglm.automl.search;

/**
 * The samplers of this package, each from a builder: {@code Samplers.kind()...build()}. Every builder takes
 * a {@code seed}; without one the sampler draws a random seed, so two runs differ.
 *
 * <pre>{@code
 * Sampler tpe = Samplers.tpe().seed(42).build();                          // multivariate TPE (the default)
 * Sampler univariate = Samplers.tpe().multivariate(false).seed(42).build(); // Optuna's default TPE
 * Sampler gp = Samplers.gp().seed(42).build();
 * Sampler random = Samplers.random().seed(42).build();
 * Sampler grid = Samplers.grid().param("layers", List.of(1, 2, 3)).seed(42).build();
 * }</pre>
 */
public final class Samplers {
    private Samplers() {
    }

    /** @return a builder of the Tree-structured Parzen Estimator sampler ({@link TpeSampler}) */
    public static TpeSampler.Builder tpe() {
        return new TpeSampler.Builder();
    }

    /** @return a builder of the Gaussian-process sampler ({@link GpSampler}) */
    public static GpSampler.Builder gp() {
        return new GpSampler.Builder();
    }

    /** @return a builder of the uniform random sampler ({@link RandomSampler}) */
    public static RandomSampler.Builder random() {
        return new RandomSampler.Builder();
    }

    /** @return a builder of the grid sampler ({@link GridSampler}); give it at least one {@code param} */
    public static GridSampler.Builder grid() {
        return new GridSampler.Builder();
    }
}

package io.autoglm.automl.search;

import java.util.random.RandomGenerator;

/**
 * Samples every parameter uniformly (on a log scale for log parameters), independently of past trials.
 *
 * <pre>{@code
 * Sampler random = Samplers.random().seed(7).build();
 * }</pre>
 */
public final class RandomSampler implements Sampler {
    private final long seed;

    private RandomSampler(Builder b) {
        this.seed = b.seed != null ? b.seed : new java.util.SplittableRandom().nextLong();
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
            RandomGenerator rng) {
        return sampleUniform(distribution, rng);
    }

    /**
     * @param d a distribution
     * @param rng the generator
     * @return a uniformly drawn internal value of {@code d}
     */
    static double sampleUniform(Distribution d, RandomGenerator rng) {
        return switch (d) {
            case Distribution.FloatDistribution f -> {
                if (f.low() == f.high()) {
                    yield f.low();
                }
                if (f.log()) {
                    double v = Math.exp(Math.log(f.low()) + rng.nextDouble() * (Math.log(f.high()) - Math.log(f.low())));
                    yield Math.min(f.high(), Math.max(f.low(), v));
                }
                if (f.step() != null) {
                    long k = Math.round((f.high() - f.low()) / f.step());
                    yield Math.min(f.high(), f.low() + rng.nextLong(k + 1) * f.step());
                }
                yield Math.min(f.high(), f.low() + rng.nextDouble() * (f.high() - f.low()));
            }
            case Distribution.IntDistribution i -> {
                if (i.log()) {
                    double lo = Math.log(i.low() - 0.5);
                    double hi = Math.log(i.high() + 0.5);
                    long v = Math.round(Math.exp(lo + rng.nextDouble() * (hi - lo)));
                    yield Math.min(i.high(), Math.max(i.low(), v));
                }
                long k = (i.high() - i.low()) / i.step();
                yield i.low() + rng.nextLong(k + 1) * i.step();
            }
            case Distribution.CategoricalDistribution c -> rng.nextInt(c.choices().size());
        };
    }

    @Override
    public String toString() {
        return "RandomSampler[seed=" + seed + "]";
    }

    /** Builds a {@link RandomSampler} (from {@link Samplers#random()}). */
    public static final class Builder {
        private Long seed;

        Builder() {
        }

        /** @param seed seed of the trials' random generators (default: a random one) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @return the sampler */
        public RandomSampler build() {
            return new RandomSampler(this);
        }
    }
}

package io.autoglm.routing;

/**
 * The weights of {@link TaskRouter}'s model score:
 *
 * <pre>
 * score(m) = task × fit(m) + quality × quality(m) − latency × latency(m) / max latency − memory × memory(m) / max memory
 * fit(m)   = Σ_t p(t) × [t ∈ tasks(m)]            (a model with no tasks: generalistFit for every t)
 * </pre>
 *
 * where {@code p(t)} is the share of task {@code t} among the nearest examples' votes and the maxima are taken over
 * the candidate models (so latency and memory costs are 0..1).
 *
 * @param task weight of the task fit, &gt;= 0 (default 1)
 * @param quality weight of the profile's quality, &gt;= 0 (default 0.3)
 * @param latency weight of the relative latency cost, &gt;= 0 (default 0.2)
 * @param memory weight of the relative memory cost, &gt;= 0 (default 0.1)
 * @param generalistFit fit of a model with no tasks for any task, 0..1 (default 0.5)
 */
public record RoutingWeights(double task, double quality, double latency, double memory, double generalistFit) {
    /** The defaults. */
    public static final RoutingWeights DEFAULT = new RoutingWeights(1.0, 0.3, 0.2, 0.1, 0.5);

    /** Validates the fields. */
    public RoutingWeights {
        check("task", task);
        check("quality", quality);
        check("latency", latency);
        check("memory", memory);
        if (!(generalistFit >= 0 && generalistFit <= 1)) {
            throw new IllegalArgumentException("generalistFit must be in [0, 1], was " + generalistFit);
        }
    }

    private static void check(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("routing weight " + name + " must be a finite number >= 0, was " + v);
        }
    }
}

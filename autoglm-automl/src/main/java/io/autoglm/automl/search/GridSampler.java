package io.autoglm.automl.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Visits the points of a grid (the Cartesian product of value lists) in random order, never twice while
 * unvisited points remain; afterwards it draws grid points at random. Parameters not in the grid are
 * sampled uniformly. A grid value must have the type its parameter is suggested with ({@code Integer} for
 * {@code suggestInt}, a number for {@code suggestFloat}, one of the choices for {@code suggestCategorical}).
 *
 * <pre>{@code
 * Sampler grid = Samplers.grid().param("lr", List.of(1e-3, 1e-2)).param("layers", List.of(1, 2, 3)).seed(1).build();
 * }</pre>
 */
public final class GridSampler implements Sampler {
    private final Map<String, List<Object>> grid;
    private final List<String> names;
    private final int size;
    private final long seed;
    private final Map<Long, Integer> assigned = new ConcurrentHashMap<>();

    private GridSampler(Builder b) {
        this.grid = new LinkedHashMap<>(b.grid);
        this.names = List.copyOf(grid.keySet());
        this.size = (int) b.size;
        this.seed = b.seed != null ? b.seed : new java.util.SplittableRandom().nextLong();
    }

    @Override
    public long seed() {
        return seed;
    }

    /** @return the number of grid points */
    public int size() {
        return size;
    }

    private Object value(int point, String name) {
        int rest = point;
        for (int i = names.size() - 1; i >= 0; i--) {
            List<Object> vals = grid.get(names.get(i));
            int idx = rest % vals.size();
            rest /= vals.size();
            if (names.get(i).equals(name)) {
                return vals.get(idx);
            }
        }
        throw new IllegalArgumentException(name);
    }

    private int pointOf(FrozenTrial t) {
        Map<String, Object> p = t.params();
        int point = 0;
        for (String n : names) {
            Object v = p.get(n);
            int idx = indexOf(grid.get(n), v);
            if (idx < 0) {
                return -1;
            }
            point = point * grid.get(n).size() + idx;
        }
        return point;
    }

    private static int indexOf(List<Object> vals, Object v) {
        for (int i = 0; i < vals.size(); i++) {
            Object g = vals.get(i);
            if (Objects.equals(g, v) || (g instanceof Number a && v instanceof Number b && a.doubleValue() == b.doubleValue())) {
                return i;
            }
        }
        return -1;
    }

    private synchronized int pick(Study study, FrozenTrial trial, RandomGenerator rng) {
        return assigned.computeIfAbsent(trial.trialId(), id -> {
            boolean[] used = new boolean[size];
            for (FrozenTrial t : study.trials()) {
                if (t.trialId() != id) {
                    int p = pointOf(t);
                    if (p >= 0) {
                        used[p] = true;
                    }
                }
            }
            for (var e : assigned.entrySet()) {
                if (!e.getKey().equals(id)) {
                    used[e.getValue()] = true;
                }
            }
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (!used[i]) {
                    free.add(i);
                }
            }
            return free.isEmpty() ? rng.nextInt(size) : free.get(rng.nextInt(free.size()));
        });
    }

    @Override
    public double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution,
            RandomGenerator rng) {
        if (!grid.containsKey(name)) {
            return RandomSampler.sampleUniform(distribution, rng);
        }
        Object v = value(pick(study, trial, rng), name);
        double internal;
        try {
            internal = distribution.toInternal(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("grid value of '" + name + "' does not fit its suggestion: " + e.getMessage(), e);
        }
        if (!distribution.contains(internal)) {
            throw new IllegalArgumentException("grid value " + v + " of '" + name + "' is outside " + distribution);
        }
        return internal;
    }

    @Override
    public void afterTrial(Study study, FrozenTrial trial) {
        assigned.remove(trial.trialId());
    }

    @Override
    public String toString() {
        return "GridSampler[seed=" + seed + ", grid=" + grid + "]";
    }

    /** Builds a {@link GridSampler} (from {@link Samplers#grid()}); at least one parameter is required. */
    public static final class Builder {
        private final Map<String, List<Object>> grid = new LinkedHashMap<>();
        private long size = 1;
        private Long seed;

        Builder() {
        }

        /**
         * Adds a parameter; the grid is the Cartesian product of all parameters' values, in the order given.
         *
         * @param name parameter name, not given before
         * @param values the values to try: not empty, strings, numbers, booleans or null
         * @return this
         */
        public Builder param(String name, List<?> values) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(values, "values");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("grid parameter name must not be empty");
            }
            if (grid.containsKey(name)) {
                throw new IllegalArgumentException("grid parameter '" + name + "' was already given");
            }
            if (values.isEmpty()) {
                throw new IllegalArgumentException("grid values of '" + name + "' must not be empty");
            }
            try {
                new Distribution.CategoricalDistribution(new ArrayList<>(values)); // checks the value types
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("grid values of '" + name + "': " + e.getMessage(), e);
            }
            long n = size * values.size();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("grid has more than " + Integer.MAX_VALUE + " points with '" + name + "'");
            }
            grid.put(name, new ArrayList<>(values));
            size = n;
            return this;
        }

        /**
         * @param params parameter name to values, added in the map's iteration order (use a {@code LinkedHashMap}
         *     for a stable order); each as {@link #param}
         * @return this
         */
        public Builder params(Map<String, ? extends List<?>> params) {
            Objects.requireNonNull(params, "params");
            params.forEach(this::param);
            return this;
        }

        /** @param seed seed of the visiting order (default: a random one) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @return the sampler
         * @throws IllegalStateException when no parameter was given
         */
        public GridSampler build() {
            if (grid.isEmpty()) {
                throw new IllegalStateException("a grid needs at least one param(name, values)");
            }
            return new GridSampler(this);
        }
    }
}

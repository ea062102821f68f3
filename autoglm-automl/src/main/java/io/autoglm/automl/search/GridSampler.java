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
 * sampled uniformly.
 *
 * <pre>{@code
 * Sampler grid = new GridSampler(Map.of("lr", List.of(1e-3, 1e-2), "layers", List.of(1, 2, 3)));
 * }</pre>
 */
public final class GridSampler implements Sampler {
    private final Map<String, List<Object>> grid;
    private final List<String> names;
    private final int size;
    private final Map<Long, Integer> assigned = new ConcurrentHashMap<>();

    /**
     * @param grid parameter name to the values to try (each list non-empty)
     */
    public GridSampler(Map<String, ? extends List<?>> grid) {
        Objects.requireNonNull(grid, "grid");
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("grid must have at least one parameter");
        }
        Map<String, List<Object>> g = new LinkedHashMap<>();
        long n = 1;
        for (var e : grid.entrySet()) {
            Objects.requireNonNull(e.getKey(), "grid parameter name");
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new IllegalArgumentException("grid values of '" + e.getKey() + "' must not be empty");
            }
            g.put(e.getKey(), new ArrayList<>(e.getValue()));
            n *= e.getValue().size();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("grid has more than " + Integer.MAX_VALUE + " points");
            }
        }
        this.grid = g;
        this.names = List.copyOf(g.keySet());
        this.size = (int) n;
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

    private int pick(Study study, FrozenTrial trial, RandomGenerator rng) {
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
        double internal = distribution.toInternal(v);
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
        return "GridSampler" + grid;
    }
}

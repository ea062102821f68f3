package io.autoglm.routing;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a model is good at and what it costs, as {@link TaskRouter} scores it.
 *
 * <pre>{@code
 * ModelProfile coder = ModelProfile.builder("qwen-coder").tasks("code", "math").quality(0.8)
 *         .latencyMillis(35).memoryBytes(2L << 30).build();
 * }</pre>
 *
 * @param name the model's name (as requests and the registry know it)
 * @param tasks the tasks it is meant for; empty = a generalist, fit for every task at
 *     {@link RoutingWeights#generalistFit()}
 * @param quality how good its answers are, 0..1 (higher is better)
 * @param latencyMillis typical time per generated token in milliseconds, &gt;= 0; 0 = unknown (costs nothing)
 * @param memoryBytes memory it occupies, &gt;= 0; 0 = unknown (costs nothing)
 */
public record ModelProfile(String name, Set<String> tasks, double quality, double latencyMillis, long memoryBytes) {
    /** Validates the fields. */
    public ModelProfile {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("profile name must not be blank");
        }
        tasks = Set.copyOf(Objects.requireNonNull(tasks, "tasks"));
        if (!(quality >= 0 && quality <= 1)) {
            throw new IllegalArgumentException("quality must be in [0, 1], was " + quality);
        }
        if (!(latencyMillis >= 0) || Double.isInfinite(latencyMillis)) {
            throw new IllegalArgumentException("latency must be >= 0 ms, was " + latencyMillis);
        }
        if (memoryBytes < 0) {
            throw new IllegalArgumentException("memory must be >= 0 bytes, was " + memoryBytes);
        }
    }

    /**
     * @param name the model's name
     * @return a builder: no tasks (a generalist), quality 0.5, latency and memory unknown
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builder; setters validate at once. */
    public static final class Builder {
        private final String name;
        private final Set<String> tasks = new LinkedHashSet<>();
        private double quality = 0.5;
        private double latencyMillis;
        private long memoryBytes;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** @param v tasks the model is meant for (added) @return this */
        public Builder tasks(String... v) {
            for (String t : v) {
                tasks.add(new TaskExample(t, "-").task());
            }
            return this;
        }

        /** @param v tasks the model is meant for (added) @return this */
        public Builder tasks(java.util.Collection<String> v) {
            return tasks(v.toArray(String[]::new));
        }

        /** @param v 0..1 @return this */
        public Builder quality(double v) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("quality must be in [0, 1], was " + v);
            }
            quality = v;
            return this;
        }

        /** @param v typical milliseconds per generated token, &gt;= 0 @return this */
        public Builder latencyMillis(double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("latency must be >= 0 ms, was " + v);
            }
            latencyMillis = v;
            return this;
        }

        /** @param v bytes, &gt;= 0 @return this */
        public Builder memoryBytes(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("memory must be >= 0 bytes, was " + v);
            }
            memoryBytes = v;
            return this;
        }

        /** @return the profile */
        public ModelProfile build() {
            return new ModelProfile(name, tasks, quality, latencyMillis, memoryBytes);
        }
    }
}

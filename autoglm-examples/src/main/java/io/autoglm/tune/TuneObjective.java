package io.autoglm.tune;

import java.util.Locale;
import java.util.Objects;

/** What a tune optimizes. */
public enum TuneObjective {
    /** Generated tokens per second over all concurrent requests (maximized). */
    THROUGHPUT,
    /** Median (p50) latency of one request under the concurrent load, in milliseconds (minimized). */
    LATENCY;

    /**
     * @param v {@code throughput} or {@code latency}, any case
     * @return the objective
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TuneObjective parse(String v) {
        Objects.requireNonNull(v, "objective");
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "throughput" -> THROUGHPUT;
            case "latency" -> LATENCY;
            default -> throw new IllegalArgumentException("objective must be throughput or latency, was '" + v + "'");
        };
    }

    /** @return the lower-case name used on the command line */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

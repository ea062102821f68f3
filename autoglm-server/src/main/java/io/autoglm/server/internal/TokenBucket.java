package io.autoglm.server.internal;

/**
 * A token bucket refilled continuously at {@code perMinute / 60} per second up to {@code perMinute}.
 * {@link #charge} may take it below zero (tokens are known only after a request); new requests then
 * wait until it is positive again.
 */
final class TokenBucket {
    private final double capacity;
    private final double perNano;
    private double level;
    private long last;

    TokenBucket(int perMinute, long nowNanos) {
        this.capacity = perMinute;
        this.perNano = perMinute / 60e9;
        this.level = perMinute;
        this.last = nowNanos;
    }

    private void refill(long now) {
        level = Math.min(capacity, level + (now - last) * perNano);
        last = now;
    }

    /**
     * Takes {@code n} if that many are there.
     *
     * @return 0 when taken, else the seconds until they will be (at least 1)
     */
    synchronized long tryTake(double n, long now) {
        refill(now);
        if (level >= n) {
            level -= n;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((n - level) / perNano / 1e9));
    }

    /** @return 0 when the bucket is positive, else the seconds until it will be */
    synchronized long waitForPositive(long now) {
        refill(now);
        return level > 0 ? 0 : Math.max(1, (long) Math.ceil((1 - level) / perNano / 1e9));
    }

    /** Takes {@code n}, going into debt if needed. */
    synchronized void charge(double n, long now) {
        refill(now);
        level -= n;
    }
}

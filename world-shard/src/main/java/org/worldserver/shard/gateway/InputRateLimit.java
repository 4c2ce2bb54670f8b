package org.worldserver.shard.gateway;

/**
 * A token bucket per session: at most {@code ratePerSecond} inputs (or requests) a second on average, with bursts
 * of up to {@code burst} (a client catching up after a stall). Inputs beyond it are dropped and counted, requests
 * refused. Integer
 * arithmetic in nanoseconds; no allocation. Not thread-safe: owned by the session's receiving thread.
 */
public final class InputRateLimit {

    private final long nanosPerToken;
    private final long capacityNanos;
    /** Tokens available, in nanoseconds of refill (one token = nanosPerToken). */
    private long availableNanos;

    private long lastNanos;

    public InputRateLimit(int ratePerSecond, int burst, long nowNanos) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.nanosPerToken = 1_000_000_000L / ratePerSecond;
        this.capacityNanos = nanosPerToken * burst;
        this.availableNanos = capacityNanos;
        this.lastNanos = nowNanos;
    }

    /** True if one more input may pass at {@code nowNanos} (monotonic), taking a token. */
    public boolean tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            availableNanos = Math.min(capacityNanos, availableNanos + elapsed);
            lastNanos = nowNanos;
        }
        if (availableNanos >= nanosPerToken) {
            availableNanos -= nanosPerToken;
            return true;
        }
        return false;
    }
}

package org.worldserver.loadtest;

import java.io.PrintStream;
import org.HdrHistogram.Histogram;

/**
 * Input → observed latencies in an HdrHistogram, corrected for coordinated omission: each bot sends an input
 * every {@code expectedIntervalMicros}, so a latency longer than that means inputs sent meanwhile would have
 * waited too; {@link Histogram#recordValueWithExpectedInterval} adds those missing samples (a stall of 1 s at
 * 20 Hz counts as about 20 samples of 1 s, 950 ms, ... instead of one), so the percentiles describe what every
 * input experienced, not only those the stalled system got round to. Not thread-safe: the fleet's thread.
 */
public final class LatencyRecorder {

    /** Longest latency kept, µs (longer ones are recorded as this). */
    static final long MAX_MICROS = 60_000_000L;

    private final long expectedIntervalMicros;
    private final Histogram corrected = new Histogram(MAX_MICROS, 3);
    private final Histogram raw = new Histogram(MAX_MICROS, 3);
    /** The corrected latencies since the last {@link #takeInterval}, for the report's timeline. */
    private final Histogram interval = new Histogram(MAX_MICROS, 3);

    public LatencyRecorder(long expectedIntervalMicros) {
        if (expectedIntervalMicros <= 0) {
            throw new IllegalArgumentException("the expected interval must be positive");
        }
        this.expectedIntervalMicros = expectedIntervalMicros;
    }

    public void record(long latencyMicros) {
        long value = Math.max(0, Math.min(latencyMicros, MAX_MICROS));
        corrected.recordValueWithExpectedInterval(value, expectedIntervalMicros);
        interval.recordValueWithExpectedInterval(value, expectedIntervalMicros);
        raw.recordValue(value);
    }

    /** The corrected latencies recorded since the last call (a copy); starts the next interval. */
    public Histogram takeInterval() {
        Histogram copy = interval.copy();
        interval.reset();
        return copy;
    }

    /** The corrected distribution (what the report and SLOs use). */
    public Histogram corrected() {
        return corrected;
    }

    /** As measured, without the correction (for comparison). */
    public Histogram raw() {
        return raw;
    }

    /** The corrected distribution in HdrHistogram's percentile format, in milliseconds. */
    public void writePercentiles(PrintStream out) {
        corrected.outputPercentileDistribution(out, 1000.0);
    }
}

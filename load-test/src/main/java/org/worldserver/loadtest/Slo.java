package org.worldserver.loadtest;

import java.util.Locale;

/**
 * The service-level objective of the capacity search, judged per window of the run: input → observed p99 at most
 * {@code maxP99Millis}, snapshot loss at most {@code maxLoss}, and no tick dilation: every client receiving at
 * least {@code minRateRatio} of the tick rate in snapshots per second.
 */
public record Slo(double maxP99Millis, double maxLoss, double minRateRatio) {

    /** The default: p99 ≤ 100 ms, loss ≤ 0.1 %, at least 95 % of the ticks seen. */
    public static final Slo DEFAULT = new Slo(100, 0.001, 0.95);

    /**
     * Why a window broke the objective, or null if it held.
     *
     * @param snapshotsPerClientSecond snapshots each connected client received per second in the window
     */
    public String breach(double p99Millis, double loss, double snapshotsPerClientSecond, int tickHz) {
        if (p99Millis > maxP99Millis) {
            return String.format(Locale.ROOT, "p99 %.1f ms > %.0f ms", p99Millis, maxP99Millis);
        }
        if (loss > maxLoss) {
            return String.format(Locale.ROOT, "loss %.2f %% > %.2f %%", loss * 100, maxLoss * 100);
        }
        if (snapshotsPerClientSecond < minRateRatio * tickHz) {
            return String.format(
                    Locale.ROOT,
                    "%.1f snapshots/s per client < %.0f %% of %d Hz (tick dilation)",
                    snapshotsPerClientSecond,
                    minRateRatio * 100,
                    tickHz);
        }
        return null;
    }
}

package org.worldserver.attention;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the importance network reads for one shard: its last {@link #WINDOW} intervals, each as the shard's own
 * numbers, the mean of every shard's numbers in that interval (the world around it: a crowd forming elsewhere
 * shows), the interval's position in the window, and how much the shard's attention changed since the interval
 * before. Numbers are scaled by log(1 + x) (all are at least 0), so a quiet shard and a crowded one read alike. A
 * shard with fewer intervals repeats its first one.
 */
public final class ImportanceFeatures {

    /** Intervals the network reads. */
    public static final int WINDOW = 12;
    /** Numbers per interval: the shard's own, the mean of all shards', the position and the change. */
    public static final int INPUTS = 2 * ShardSample.FEATURES + 2;
    /** The row of a window that holds the shard's own attention per second. */
    public static final int ATTENTION = ShardSample.FEATURES - 1;

    private ImportanceFeatures() {}

    /** One round of the whole world: every shard's sample of that interval. */
    public record Interval(long round, Map<String, ShardSample> shards) {}

    /** The intervals of a history, oldest first. */
    public static List<Interval> intervals(TelemetryHistory history) {
        List<ShardSample> all = new ArrayList<>();
        history.shards().forEach(shard -> all.addAll(history.of(shard)));
        return intervals(all, history.intervalMillis());
    }

    /**
     * Samples put in rounds of {@code intervalMillis} (nodes stamp their reports with their own clocks, so one
     * interval of several nodes has several end times: the round is what they share), oldest first; a shard's later
     * sample in a round wins.
     */
    public static List<Interval> intervals(Collection<ShardSample> samples, long intervalMillis) {
        Map<Long, Map<String, ShardSample>> byRound = new TreeMap<>();
        for (ShardSample s : samples) {
            byRound.computeIfAbsent(Math.floorDiv(s.endMillis(), intervalMillis), r -> new TreeMap<>())
                    .merge(s.shard(), s, (a, b) -> b.endMillis() >= a.endMillis() ? b : a);
        }
        List<Interval> intervals = new ArrayList<>();
        byRound.forEach((round, shards) -> intervals.add(new Interval(round, shards)));
        return intervals;
    }

    /**
     * The network's input for {@code shard} with its window ending at interval {@code last} (inclusive): [INPUTS][WINDOW],
     * or null if the shard has no sample at {@code last}.
     */
    public static double[][] window(List<Interval> intervals, String shard, int last) {
        if (intervals.get(last).shards().get(shard) == null) {
            return null;
        }
        List<double[]> own = new ArrayList<>();
        List<double[]> world = new ArrayList<>();
        for (int i = Math.max(0, last - WINDOW + 1); i <= last; i++) {
            ShardSample s = intervals.get(i).shards().get(shard);
            if (s != null) {
                own.add(s.features());
                world.add(mean(intervals.get(i)));
            }
        }
        double[][] x = new double[INPUTS][WINDOW];
        int pad = WINDOW - own.size();
        for (int t = 0; t < WINDOW; t++) {
            int from = Math.max(0, t - pad); // the first interval repeated in front of a short history
            for (int f = 0; f < ShardSample.FEATURES; f++) {
                x[f][t] = scale(own.get(from)[f]);
                x[ShardSample.FEATURES + f][t] = scale(world.get(from)[f]);
            }
            x[INPUTS - 2][t] = (t + 1) / (double) WINDOW;
        }
        for (int t = 1; t < WINDOW; t++) {
            x[INPUTS - 1][t] = x[ATTENTION][t] - x[ATTENTION][t - 1];
        }
        return x;
    }

    private static double[] mean(Interval interval) {
        double[] sum = new double[ShardSample.FEATURES];
        for (ShardSample s : interval.shards().values()) {
            double[] f = s.features();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += f[i];
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= interval.shards().size();
        }
        return sum;
    }

    /** log(1 + x) of a number at least 0 (a negative one counts as 0). */
    public static double scale(double x) {
        return Math.log1p(Math.max(0, x));
    }

    /** The inverse of {@link #scale}, never below 0. */
    public static double unscale(double y) {
        return Math.max(0, Math.expm1(y));
    }
}

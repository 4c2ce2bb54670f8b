package org.worldserver.attention;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plain heuristic used when no trained model is configured: the last interval's attention per second, plus its
 * trend (the mean change per interval over the last {@value #TREND_INTERVALS} intervals), never below 0. A crowd that
 * is forming is predicted to keep growing for one more interval; a steady one to stay.
 */
public final class TrendImportance implements ImportanceModel {

    static final int TREND_INTERVALS = 3;

    @Override
    public String name() {
        return "trend";
    }

    @Override
    public Map<String, Double> predict(TelemetryHistory history) {
        Map<String, Double> predicted = new TreeMap<>();
        for (String shard : history.shards()) {
            predicted.put(shard, next(history.of(shard)));
        }
        return predicted;
    }

    /** The next value of a shard's attention per second, from its intervals (oldest first). */
    static double next(List<ShardSample> intervals) {
        int n = intervals.size();
        double last = intervals.get(n - 1).attentionPerSecond();
        int steps = Math.min(TREND_INTERVALS, n - 1);
        if (steps == 0) {
            return Math.max(0, last);
        }
        double trend = (last - intervals.get(n - 1 - steps).attentionPerSecond()) / steps;
        return Math.max(0, last + trend);
    }
}

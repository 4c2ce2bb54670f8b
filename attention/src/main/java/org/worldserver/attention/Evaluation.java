package org.worldserver.attention;

import java.util.ArrayList;
import java.util.List;

/**
 * How well predictors do on held-out examples: the mean squared error, in (attention-seconds per second)², of the
 * network against "like the last interval" and the trend heuristic ({@link TrendImportance}) on the same windows.
 *
 * @param examples how many held-out intervals were predicted
 */
public record Evaluation(int examples, double network, double lastValue, double trend) {

    /** Evaluates {@code network} and the two baselines on {@code heldOut} (not empty). */
    public static Evaluation of(AttentionNetwork network, List<AttentionNetwork.Example> heldOut) {
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("no held-out examples to evaluate on");
        }
        double[] last = new double[heldOut.size()];
        double[] trend = new double[heldOut.size()];
        for (int i = 0; i < heldOut.size(); i++) {
            double[] row = heldOut.get(i).window()[ImportanceFeatures.ATTENTION];
            List<ShardSample> samples = new ArrayList<>();
            for (double v : row) {
                samples.add(new ShardSample("s", "n", 0, 0, 0, 0, 0, 1, ImportanceFeatures.unscale(v)));
            }
            last[i] = samples.get(samples.size() - 1).attentionPerSecond();
            trend[i] = TrendImportance.next(samples);
        }
        double[] predicted = network.predict(
                heldOut.stream().map(AttentionNetwork.Example::window).toList());
        return new Evaluation(heldOut.size(), error(predicted, heldOut), error(last, heldOut), error(trend, heldOut));
    }

    private static double error(double[] predicted, List<AttentionNetwork.Example> examples) {
        double sum = 0;
        for (int i = 0; i < predicted.length; i++) {
            double d = predicted[i] - examples.get(i).next();
            sum += d * d;
        }
        return sum / predicted.length;
    }

    @Override
    public String toString() {
        return String.format(
                "held out: %d intervals; mean squared error %.1f (network), %.1f (last value), %.1f (trend)",
                examples, network, lastValue, trend);
    }
}

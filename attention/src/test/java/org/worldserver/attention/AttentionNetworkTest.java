package org.worldserver.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.attention.AttentionNetwork.Example;
import org.worldserver.attention.ImportanceFeatures.Interval;

/**
 * The importance network on real DL4J: its input's shape, that training lowers its loss on a synthetic pattern
 * (crowds that form over a few intervals and then thin out) and then predicts held-out recordings better than
 * "the next interval is like the last", and that a saved network predicts exactly as before.
 */
class AttentionNetworkTest {

    private static final long INTERVAL_MILLIS = 10_000;

    /** A synthetic recording: shards with a quiet base level and, once, a crowd that forms and thins out. */
    static List<Interval> recording(Random random, int shards, int length) {
        double[][] attention = new double[shards][length];
        for (int s = 0; s < shards; s++) {
            double base = 5 + random.nextDouble() * 20;
            int start = random.nextInt(length);
            int ramp = 4 + random.nextInt(6);
            double peak = 100 + random.nextDouble() * 300;
            for (int t = 0; t < length; t++) {
                double crowd = t < start
                        ? 0
                        : t < start + ramp
                                ? peak * (t - start + 1) / ramp
                                : peak * Math.exp(-(t - start - ramp) / 15.0);
                attention[s][t] = (base + crowd) * (1 + 0.03 * random.nextGaussian());
            }
        }
        List<Interval> intervals = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            Map<String, ShardSample> at = new TreeMap<>();
            for (int s = 0; s < shards; s++) {
                double a = Math.max(0, attention[s][t]);
                int avatars = (int) Math.round(a / 3);
                at.put(
                        "s" + s,
                        new ShardSample(
                                "s" + s,
                                "n1",
                                t * INTERVAL_MILLIS,
                                avatars,
                                avatars * 20.0,
                                avatars * 3000.0,
                                200 + avatars * 5.0,
                                1,
                                a));
            }
            intervals.add(new Interval(t, at));
        }
        return intervals;
    }

    private static List<Example> examples(long seed, int recordings) {
        Random random = new Random(seed);
        List<Example> examples = new ArrayList<>();
        for (int r = 0; r < recordings; r++) {
            examples.addAll(AttentionNetwork.examples(recording(random, 8, 60)));
        }
        return examples;
    }

    @Test
    void shouldPutReportsOfSeveralNodesInTheSameRounds() {
        // Two nodes report the same intervals, one 4 s after the other (their clocks' phases differ).
        List<ShardSample> samples = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            samples.add(new ShardSample("a", "n1", t * INTERVAL_MILLIS + 1_000, 1, 0, 0, 0, 1, t));
            samples.add(new ShardSample("b", "n2", t * INTERVAL_MILLIS + 5_000, 1, 0, 0, 0, 1, 10 * t));
        }
        List<Interval> intervals = ImportanceFeatures.intervals(samples, INTERVAL_MILLIS);
        assertEquals(5, intervals.size(), "one round per interval, not one per node");
        intervals.forEach(i -> assertEquals(2, i.shards().size()));
    }

    @Test
    void shouldReadEachShardsWindowAndScoreEveryShard() {
        TelemetryHistory history = new TelemetryHistory(30, INTERVAL_MILLIS);
        List<Interval> recording = recording(new Random(1), 5, 4); // shorter than the window: padded
        recording.forEach(i -> i.shards().values().forEach(history::add));
        List<Interval> intervals = ImportanceFeatures.intervals(history);
        assertEquals(4, intervals.size());
        double[][] window = ImportanceFeatures.window(intervals, "s0", 3);
        assertEquals(ImportanceFeatures.INPUTS, window.length);
        assertEquals(ImportanceFeatures.WINDOW, window[0].length);
        double first =
                ImportanceFeatures.scale(recording.get(0).shards().get("s0").attentionPerSecond());
        double last =
                ImportanceFeatures.scale(recording.get(3).shards().get("s0").attentionPerSecond());
        int attention = ImportanceFeatures.ATTENTION;
        assertEquals(first, window[attention][0], 1e-12, "the first interval repeated in front");
        assertEquals(first, window[attention][ImportanceFeatures.WINDOW - 4], 1e-12);
        assertEquals(last, window[attention][ImportanceFeatures.WINDOW - 1], 1e-12, "the newest last");
        assertEquals(1.0, window[ImportanceFeatures.INPUTS - 2][ImportanceFeatures.WINDOW - 1], 1e-12, "position");
        double before =
                ImportanceFeatures.scale(recording.get(2).shards().get("s0").attentionPerSecond());
        assertEquals(last - before, window[ImportanceFeatures.INPUTS - 1][ImportanceFeatures.WINDOW - 1], 1e-12);

        Map<String, Double> scores = AttentionNetwork.untrained(7).predict(history);
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4"), List.copyOf(scores.keySet()));
        scores.values().forEach(v -> assertTrue(Double.isFinite(v) && v >= 0, "a score: " + v));
    }

    @Test
    void shouldLowerItsLossByTrainingAndBeatTheLastValueOnHeldOutRecordings() {
        List<Example> training = examples(11, 6);
        List<Example> heldOut = examples(12, 2);
        AttentionNetwork network = AttentionNetwork.untrained(3);
        double before = network.loss(training);
        for (int epoch = 0; epoch < 25; epoch++) {
            Collections.shuffle(training, new Random(epoch));
            network.fit(training, 64);
        }
        double after = network.loss(training);
        assertTrue(after < before / 4, "training loss " + before + " -> " + after);

        Evaluation held = Evaluation.of(network, heldOut);
        System.out.println(held);
        assertTrue(held.network() < held.lastValue(), held.toString());
        assertTrue(held.network() < held.trend(), held.toString());
    }

    @Test
    void shouldPredictTheSameAfterASaveAndALoad(@TempDir Path dir) throws Exception {
        AttentionNetwork network = AttentionNetwork.untrained(5);
        List<Example> some = examples(13, 1);
        network.fit(some, 64);
        File file = dir.resolve("importance.zip").toFile();
        network.save(file);
        AttentionNetwork loaded = AttentionNetwork.load(file);
        List<double[][]> windows =
                some.subList(0, 20).stream().map(Example::window).toList();
        assertArrayEquals(network.predict(windows), loaded.predict(windows), 0.0);
        assertEquals("attention-network", loaded.name());
    }
}

package org.worldserver.shard.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.attention.AttentionNetwork;
import org.worldserver.attention.Evaluation;
import org.worldserver.attention.ImportanceFeatures;
import org.worldserver.attention.ShardSample;

/** Recordings read back in rounds; training on them saves a network that loads and predicts. */
class AttentionCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recording of two nodes' shards, their clocks 3 s apart, crowds growing at random. */
    static Path recording(Path dir, String name, long seed) throws Exception {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            for (int s = 0; s < 4; s++) {
                double attention = 10 + (t > 10 + s ? (t - 10 - s) * (5 + random.nextInt(10)) : 0);
                long end = t * 10_000L + (s % 2 == 0 ? 1_000 : 4_000);
                lines.add(JSON.writeValueAsString(
                        new ShardSample("s" + s, "n" + s % 2, end, (int) attention / 3, 20, 3000, 500, 1, attention)));
            }
        }
        Path file = dir.resolve(name);
        Files.write(file, lines);
        return file;
    }

    @Test
    void shouldReadRecordingsInRoundsAndTrainANetworkThatLoads(@TempDir Path dir) throws Exception {
        Path a = recording(dir, "a.jsonl", 1);
        List<ImportanceFeatures.Interval> intervals = AttentionCommand.read(a, 10_000);
        assertEquals(30, intervals.size(), "two nodes' clocks, one round per interval");
        intervals.forEach(i -> assertEquals(4, i.shards().size()));

        File model = dir.resolve("model.zip").toFile();
        Evaluation held = AttentionCommand.train(
                List.of(a, recording(dir, "b.jsonl", 2)), List.of(recording(dir, "c.jsonl", 3)), model, 3, 1, 10_000);
        assertEquals(29 * 4, held.examples());
        assertTrue(Double.isFinite(held.network()), held.toString());
        assertTrue(model.length() > 0);
        List<double[][]> window = new ArrayList<>();
        window.add(ImportanceFeatures.window(intervals, "s0", 29));
        double[] predicted = AttentionNetwork.load(model).predict(window);
        assertTrue(predicted[0] >= 0 && Double.isFinite(predicted[0]), "a prediction: " + predicted[0]);
    }
}

package org.worldserver.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rolling history keeps the newest intervals in order, drops repeats, forgets the silent; the trend heuristic. */
class TelemetryHistoryTest {

    static ShardSample sample(String shard, long end, double attention) {
        return new ShardSample(shard, "n1", end, 10, 20, 3000, 800, 1, attention);
    }

    private static ShardSample withAvatars(long end, int avatars) {
        return new ShardSample("crowd", "n1", end, avatars, 20, 3000, 800, 1, avatars);
    }

    @Test
    void aMoveWouldPauseTheLatestAvatarsPlusTheirRiseWhileACrowdGathers() {
        TelemetryHistory h = new TelemetryHistory(5, 1000);
        assertEquals(0, h.avatarsAtMove("crowd"), "unknown");
        h.add(withAvatars(1000, 8));
        assertEquals(8, h.avatarsAtMove("crowd"), "one interval: no trend yet");
        h.add(withAvatars(2000, 20));
        assertEquals(32, h.avatarsAtMove("crowd"), "rising by 12: 12 more by the time it moves");
        h.add(withAvatars(3000, 15));
        assertEquals(15, h.avatarsAtMove("crowd"), "falling: the latest count");
    }

    @Test
    void shouldKeepTheLastIntervalsInOrderAndDropRepeats() {
        TelemetryHistory h = new TelemetryHistory(3, 1000);
        for (long t = 1; t <= 5; t++) {
            assertTrue(h.add(sample("s", t * 1000, t)));
        }
        assertFalse(h.add(sample("s", 5000, 99)), "the same interval again");
        assertFalse(h.add(sample("s", 5400, 99)), "another node's clock, the same round");
        assertFalse(h.add(sample("s", 4000, 99)), "an older one");
        assertEquals(
                List.of(3.0, 4.0, 5.0),
                h.of("s").stream().map(ShardSample::attentionPerSecond).toList());
        assertEquals(5.0, h.latest("s").attentionPerSecond());

        h.add(sample("quiet", 2000, 1));
        h.add(new NodeSample("n1", 5000, 0.5, 0.7, 500));
        h.add(new NodeSample("n1", 4000, 0.9, 0.9, 500)); // older: dropped
        assertEquals(0.5, h.nodes().get("n1").cpu());
        h.forgetSilentSince(3000);
        assertEquals(List.of("s"), List.copyOf(h.shards()));
        assertEquals(Map.of(), Map.copyOf(new TelemetryHistory(1, 1000).nodes()));
    }

    @Test
    void shouldPredictTheLastValuePlusItsTrendNeverBelowZero() {
        TelemetryHistory h = new TelemetryHistory(10, 1000);
        for (long t = 1; t <= 4; t++) {
            h.add(sample("growing", t * 1000, 10 * t)); // 10, 20, 30, 40
            h.add(sample("steady", t * 1000, 7));
            h.add(sample("emptying", t * 1000, 40 - 15 * t)); // 25, 10, -5 (clipped by nothing), -20
        }
        h.add(sample("new", 4000, 12));
        Map<String, Double> p = new TrendImportance().predict(h);
        assertEquals(50.0, p.get("growing"), 1e-9);
        assertEquals(7.0, p.get("steady"), 1e-9);
        assertEquals(0.0, p.get("emptying"), 1e-9);
        assertEquals(12.0, p.get("new"), 1e-9, "one interval: its value");
    }
}

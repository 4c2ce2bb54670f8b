package org.worldserver.shard.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.worldserver.attention.ShardSample;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellShards;
import org.worldserver.shard.world.CellTelemetry;

/** Cells combined per shard, rates from the counters' change, a counter that went back counted from zero. */
class ShardTelemetryCollectorTest {

    private static CellTelemetry cell(int avatars, long inputs, double p99, double attentionTotal) {
        return new CellTelemetry(avatars, 0, 100, inputs, 0, 100, p99, 1, 0, attentionTotal);
    }

    @Test
    void shouldTurnCellCountersIntoShardRates() {
        ShardTelemetryCollector collector = new ShardTelemetryCollector(new CellShards(2), 14);
        CellId a = new CellId("lobby", 0, 0);
        CellId b = new CellId("lobby", 1, 1); // same 2 × 2 block as a
        CellId c = new CellId("lobby", 2, 0); // the next block
        assertTrue(
                collector
                        .collect(0, "n1", Map.of(a, cell(1, 10, 500, 2)), Map.of(a, 50L))
                        .isEmpty(),
                "baseline");

        List<ShardSample> samples = collector.collect(
                2_000,
                "n1",
                Map.of(a, cell(3, 30, 500, 12), b, cell(2, 4, 900, 4), c, cell(5, 8, 100, 1)),
                Map.of(a, 350L));
        assertEquals(2, samples.size());
        ShardSample first = samples.stream()
                .filter(s -> s.shard().equals("lobby:0:0"))
                .findFirst()
                .orElseThrow();
        assertEquals(5, first.avatars(), "a and b");
        assertEquals((30 - 10 + 4) / 2.0, first.inputsPerSecond(), 1e-9, "b is new here: all of its inputs count");
        assertEquals(300 * 14 / 2.0, first.bytesOutPerSecond(), 1e-9);
        assertEquals(900, first.tickP99Micros(), "the worst cell");
        assertEquals((12 - 2 + 4) / 2.0, first.attentionPerSecond(), 1e-9);
        assertEquals("n1", first.node());
        assertEquals(2_000, first.endMillis());

        // Cell a started again (it moved away and back): its counters went back, and count from zero.
        List<ShardSample> again = collector.collect(4_000, "n1", Map.of(a, cell(1, 6, 500, 3)), Map.of(a, 0L));
        assertEquals(6 / 2.0, again.get(0).inputsPerSecond(), 1e-9);
        assertEquals(3 / 2.0, again.get(0).attentionPerSecond(), 1e-9);
    }
}

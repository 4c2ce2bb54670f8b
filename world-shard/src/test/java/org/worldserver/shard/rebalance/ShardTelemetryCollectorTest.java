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
        CellId b = new CellId("lobby", 1, 1); // the same 2 × 2 block as a
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
                Map.of(a, 350L, b, 7L));
        assertEquals(1, samples.size(), "the next block's only cell is new here: no sample for it yet");
        ShardSample first = samples.get(0);
        assertEquals("lobby:0:0", first.shard());
        assertEquals(3, first.avatars(), "b is new: it joins the shard's numbers next interval");
        assertEquals((30 - 10) / 2.0, first.inputsPerSecond(), 1e-9);
        assertEquals(300 * 14 / 2.0, first.bytesOutPerSecond(), 1e-9);
        assertEquals(500, first.tickP99Micros());
        assertEquals((12 - 2) / 2.0, first.attentionPerSecond(), 1e-9);
        assertEquals("n1", first.node());
        assertEquals(2_000, first.endMillis());

        // Next: b counts from its baseline; c's block now has a sample; a started again (its counters went back).
        List<ShardSample> next = collector.collect(
                4_000,
                "n1",
                Map.of(a, cell(1, 6, 500, 3), b, cell(2, 10, 900, 8), c, cell(5, 12, 100, 2)),
                Map.of(a, 20L, b, 17L));
        ShardSample block = next.stream()
                .filter(s -> s.shard().equals("lobby:0:0"))
                .findFirst()
                .orElseThrow();
        assertEquals(3, block.avatars());
        assertEquals((6 + (10 - 4)) / 2.0, block.inputsPerSecond(), 1e-9, "a from zero, b since its baseline");
        assertEquals((20 + (17 - 7)) * 14 / 2.0, block.bytesOutPerSecond(), 1e-9);
        assertEquals((3 + (8 - 4)) / 2.0, block.attentionPerSecond(), 1e-9);
        assertEquals(900, block.tickP99Micros(), "the worst cell");
        ShardSample other = next.stream()
                .filter(s -> s.shard().equals("lobby:1:0"))
                .findFirst()
                .orElseThrow();
        assertEquals((12 - 8) / 2.0, other.inputsPerSecond(), 1e-9);
    }
}

package org.worldserver.shard.rebalance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.worldserver.attention.ShardSample;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellShards;
import org.worldserver.shard.world.CellTelemetry;

/**
 * Turns a node's cell numbers into one {@link ShardSample} per local shard per interval: the cells' telemetry combined
 * per shard, and rates from the counters' change since the last collection (inputs, entity updates × update size,
 * attention paid). A counter that went back (a cell that moved here and started again) counts from zero. The first
 * collection only sets the baseline. Not thread-safe: one actor owns it.
 */
final class ShardTelemetryCollector {

    private record Counters(long inputs, long updates, double attention) {}

    private final CellShards shards;
    private final int updateBytes;
    private Map<String, Counters> previous;
    private long previousMillis;

    /** @param updateBytes bytes one entity update costs on the wire (world.interest.update-size) */
    ShardTelemetryCollector(CellShards shards, int updateBytes) {
        this.shards = shards;
        this.updateBytes = updateBytes;
    }

    /**
     * The samples of the interval that ends now (empty for the first call).
     *
     * @param updates each cell's entity updates sent since it started here (a counter)
     */
    List<ShardSample> collect(
            long nowMillis, String node, Map<CellId, CellTelemetry> telemetry, Map<CellId, Long> updates) {
        Map<String, List<CellTelemetry>> cells = new HashMap<>();
        Map<String, Long> shardUpdates = new HashMap<>();
        telemetry.forEach((cell, t) -> {
            String shard = shards.shardOf(cell);
            cells.computeIfAbsent(shard, s -> new ArrayList<>()).add(t);
            shardUpdates.merge(shard, updates.getOrDefault(cell, 0L), Long::sum);
        });
        Map<String, Counters> now = new HashMap<>();
        List<ShardSample> samples = new ArrayList<>();
        double seconds = previous == null ? 0 : Math.max(0.001, (nowMillis - previousMillis) / 1000.0);
        cells.forEach((shard, list) -> {
            CellTelemetry t = CellTelemetry.combine(list);
            Counters c = new Counters(t.inputsAccepted(), shardUpdates.get(shard), t.attentionTotal());
            now.put(shard, c);
            if (previous != null) {
                Counters before = previous.getOrDefault(shard, new Counters(0, 0, 0));
                samples.add(new ShardSample(
                        shard,
                        node,
                        nowMillis,
                        t.avatars(),
                        since(c.inputs(), before.inputs()) / seconds,
                        since(c.updates(), before.updates()) * (double) updateBytes / seconds,
                        t.tickP99Micros(),
                        t.dilation(),
                        since(c.attention(), before.attention()) / seconds));
            }
        });
        previous = now;
        previousMillis = nowMillis;
        return samples;
    }

    /** How much a counter grew; all of it if it went back (it started again). */
    private static double since(double now, double before) {
        return now >= before ? now - before : now;
    }
}

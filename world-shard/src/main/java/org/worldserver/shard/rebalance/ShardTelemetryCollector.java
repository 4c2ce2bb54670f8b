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
 * per shard, and rates from each cell's counters' change since the last collection (inputs, entity updates × update
 * size, attention paid). A cell seen for the first time (it just started here, or moved in) only sets its baseline,
 * and a shard whose cells are all new sends no sample until the next interval: a count since a cell started, divided
 * by a whole interval, would look like a crowd thinning out. A cell whose counter went back started again since the
 * last collection, and counts from zero. Not thread-safe: one actor owns it.
 */
final class ShardTelemetryCollector {

    private record Counters(long inputs, long updates, double attention) {}

    private final CellShards shards;
    private final int updateBytes;
    private Map<CellId, Counters> previous = Map.of();
    private long previousMillis;

    /** @param updateBytes bytes one entity update costs on the wire (world.interest.update-size) */
    ShardTelemetryCollector(CellShards shards, int updateBytes) {
        this.shards = shards;
        this.updateBytes = updateBytes;
    }

    /**
     * The samples of the interval that ends now.
     *
     * @param updates each cell's entity updates sent since it started here (a counter)
     */
    List<ShardSample> collect(
            long nowMillis, String node, Map<CellId, CellTelemetry> telemetry, Map<CellId, Long> updates) {
        Map<CellId, Counters> now = new HashMap<>();
        Map<String, List<CellTelemetry>> cells = new HashMap<>();
        Map<String, double[]> grown = new HashMap<>(); // shard → inputs, updates, attention since the last collection
        telemetry.forEach((cell, t) -> {
            Counters c = new Counters(t.inputsAccepted(), updates.getOrDefault(cell, 0L), t.attentionTotal());
            now.put(cell, c);
            Counters before = previous.get(cell);
            if (before == null) {
                return; // new here: its baseline only
            }
            String shard = shards.shardOf(cell);
            cells.computeIfAbsent(shard, s -> new ArrayList<>()).add(t);
            double[] g = grown.computeIfAbsent(shard, s -> new double[3]);
            g[0] += since(c.inputs(), before.inputs());
            g[1] += since(c.updates(), before.updates());
            g[2] += since(c.attention(), before.attention());
        });
        List<ShardSample> samples = new ArrayList<>();
        double seconds = Math.max(0.001, (nowMillis - previousMillis) / 1000.0);
        cells.forEach((shard, list) -> {
            CellTelemetry t = CellTelemetry.combine(list);
            double[] g = grown.get(shard);
            samples.add(new ShardSample(
                    shard,
                    node,
                    nowMillis,
                    t.avatars(),
                    g[0] / seconds,
                    g[1] * updateBytes / seconds,
                    t.tickP99Micros(),
                    t.dilation(),
                    g[2] / seconds));
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

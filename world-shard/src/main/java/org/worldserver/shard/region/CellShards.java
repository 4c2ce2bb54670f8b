package org.worldserver.shard.region;

import com.typesafe.config.Config;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Which shard a cell belongs to: square blocks of {@code group} × {@code group} neighbouring cells of one region
 * share a shard, {@code <region>:<bx>:<bz>}. Cluster Sharding places and moves whole shards, so the cells of a
 * block run on the same node: most handovers and ghosts between neighbours stay local, and the re-balancer moves
 * a block of the world, not scattered cells. Telemetry is also summed per shard ({@code world_shard_*}).
 */
public final class CellShards
        extends ShardingMessageExtractor<ShardingEnvelope<RegionCell.Command>, RegionCell.Command> {

    private final int group;

    /** @param group cells per side of a shard's block (1 = one shard per cell) */
    public CellShards(int group) {
        if (group < 1) {
            throw new IllegalArgumentException("world.cells.shard-group must be at least 1, was " + group);
        }
        this.group = group;
    }

    /** As configured in {@code world.cells.shard-group}. */
    public static CellShards fromConfig(Config root) {
        return new CellShards(root.getInt("world.cells.shard-group"));
    }

    /** The shard of cell {@code cell}. */
    public String shardOf(CellId cell) {
        return shardId(cell.entityId());
    }

    @Override
    public String entityId(ShardingEnvelope<RegionCell.Command> envelope) {
        return envelope.entityId();
    }

    /** Called for every message sent to a cell: parses without a regular expression or a CellId. */
    @Override
    public String shardId(String entityId) {
        if (group == 1) {
            return entityId;
        }
        int second = entityId.lastIndexOf(':');
        int first = second > 0 ? entityId.lastIndexOf(':', second - 1) : -1;
        if (first <= 0) {
            return entityId; // not a cell id: a shard of its own, where the cell refuses everything
        }
        try {
            int ix = Integer.parseInt(entityId, first + 1, second, 10);
            int iz = Integer.parseInt(entityId, second + 1, entityId.length(), 10);
            return entityId.substring(0, first) + ":" + ix / group + ":" + iz / group;
        } catch (NumberFormatException e) {
            return entityId;
        }
    }

    @Override
    public RegionCell.Command unwrapMessage(ShardingEnvelope<RegionCell.Command> envelope) {
        return envelope.message();
    }
}

package org.worldserver.shard.region;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.function.Function;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.ObserverSink;

/**
 * What every cell of a node is given: the interest settings, where its frames, attention and positions go, how
 * it reaches other cells, and its timings. Shared by all cells; every part is thread-safe.
 *
 * @param sinks the observer sink of each cell (called once, when the cell starts)
 * @param settlementPeriod how often a cell turns accumulated attention into a batch
 * @param checkpointInterval how often each avatar's position is reported to its persistent record
 * @param handoverRetry how often an unanswered handover offer is sent again (and housekeeping runs)
 * @param handoverDedupWindow how long a cell remembers its answer to each transfer, to repeat it
 * @param forwardFor how long a cell forwards inputs for an avatar that has moved to another cell
 * @param ghostTimeout ghosts from a neighbour that has sent nothing for this long are dropped
 */
public record CellEnvironment(
        InterestSettings interest,
        Function<CellId, ObserverSink> sinks,
        RegionDirectory directory,
        RegionCell.AttentionSettlement settlement,
        RegionCell.CellPeers peers,
        RegionCell.PositionRecorder positions,
        Duration settlementPeriod,
        Duration checkpointInterval,
        Duration handoverRetry,
        Duration handoverDedupWindow,
        Duration forwardFor,
        Duration ghostTimeout) {

    /** The timings from {@code world.cells}, {@code world.attention} and {@code world.avatar} of {@code root}. */
    public static CellEnvironment fromRootConfig(
            Config root,
            Function<CellId, ObserverSink> sinks,
            RegionDirectory directory,
            RegionCell.AttentionSettlement settlement,
            RegionCell.CellPeers peers,
            RegionCell.PositionRecorder positions) {
        Config cells = root.getConfig("world.cells");
        return new CellEnvironment(
                InterestSettings.fromRootConfig(root),
                sinks,
                directory,
                settlement,
                peers,
                positions,
                root.getDuration("world.attention.settlement-period"),
                root.getDuration("world.avatar.position-checkpoint-interval"),
                cells.getDuration("handover-retry"),
                cells.getDuration("handover-dedup-window"),
                cells.getDuration("forward-for"),
                cells.getDuration("ghost-timeout"));
    }
}

package org.worldserver.shard.region;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.worldserver.shard.world.CellTelemetry;

/**
 * The cells running on this node: their actors, what their ticks produced, and the telemetry each publishes
 * about once a second. Read by {@code /metrics} and shutdown from any thread; written by the cells.
 */
public final class RegionDirectory implements Extension {

    private static final ExtensionId<RegionDirectory> ID = new ExtensionId<>() {
        @Override
        public RegionDirectory createExtension(ActorSystem<?> system) {
            return new RegionDirectory();
        }
    };

    private final Map<CellId, ActorRef<RegionCell.Command>> cells = new ConcurrentHashMap<>();
    private final Map<CellId, UpdateCounter> outputs = new ConcurrentHashMap<>();
    private final Map<CellId, CellTelemetry> telemetry = new ConcurrentHashMap<>();

    private RegionDirectory() {}

    public static RegionDirectory get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The counter of what cell {@code id}'s ticks produced (its sink counts every frame into it). */
    public UpdateCounter counterFor(CellId id) {
        return outputs.computeIfAbsent(id, any -> new UpdateCounter());
    }

    void cellStarted(CellId id, ActorRef<RegionCell.Command> actor) {
        cells.put(id, actor);
    }

    void cellStopped(CellId id, ActorRef<RegionCell.Command> actor) {
        if (cells.remove(id, actor)) {
            telemetry.remove(id);
            outputs.remove(id); // a cell that starts here again counts from zero
        }
    }

    void publish(CellId id, CellTelemetry latest) {
        telemetry.put(id, latest);
    }

    /** Cells running here now, a live view. */
    public Map<CellId, ActorRef<RegionCell.Command>> cells() {
        return cells;
    }

    /** Cell → the newest telemetry it published, a live view. */
    public Map<CellId, CellTelemetry> telemetry() {
        return telemetry;
    }

    /** Cell → counter of the frames and updates its ticks produced, a live view. */
    public Map<CellId, UpdateCounter> outputs() {
        return outputs;
    }
}

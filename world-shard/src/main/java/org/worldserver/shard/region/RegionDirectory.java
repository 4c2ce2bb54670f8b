package org.worldserver.shard.region;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.worldserver.shard.world.CellTelemetry;

/**
 * The regions this node simulates: their actors, and the telemetry each publishes about once a second. Read by
 * the operator API and {@code /metrics} from any thread; written by WorldNode (actors) and the region actors
 * (telemetry).
 */
public final class RegionDirectory implements Extension {

    private static final ExtensionId<RegionDirectory> ID = new ExtensionId<>() {
        @Override
        public RegionDirectory createExtension(ActorSystem<?> system) {
            return new RegionDirectory();
        }
    };

    /** A region's definition, actor, and the counter of what its ticks produced. */
    public record Entry(RegionDefinition definition, ActorRef<RegionCell.Command> actor, UpdateCounter output) {}

    private final Map<String, Entry> regions = new ConcurrentHashMap<>();
    private final Map<String, CellTelemetry> telemetry = new ConcurrentHashMap<>();

    private RegionDirectory() {}

    public static RegionDirectory get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    public void register(RegionDefinition definition, ActorRef<RegionCell.Command> actor, UpdateCounter output) {
        regions.put(definition.name(), new Entry(definition, actor, output));
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(regions.get(name));
    }

    /** Name → entry, a live view. */
    public Map<String, Entry> all() {
        return regions;
    }

    void publish(String region, CellTelemetry latest) {
        telemetry.put(region, latest);
    }

    /** Name → the newest telemetry each region published, a live view. */
    public Map<String, CellTelemetry> telemetry() {
        return telemetry;
    }
}

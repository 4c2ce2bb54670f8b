package org.worldserver.shard.ops;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.worldserver.shard.region.CellShards;
import org.worldserver.shard.region.RegionDirectory;
import org.worldserver.shard.world.CellTelemetry;

/**
 * The node's Prometheus registry, served at {@code /metrics}: JVM metrics, the actor system's cluster view,
 * and the project's own counters, which modules register here as they appear ({@link #registry()}).
 *
 * <p>One registry per ActorSystem (not the process-wide default), so several nodes in one test JVM do not
 * collide. Gauges read the cluster state on scrape; Cluster's state is safe to read from any thread.
 */
public final class NodeMetrics implements Extension {

    private static final ExtensionId<NodeMetrics> ID = new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
            return new NodeMetrics(system);
        }
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private NodeMetrics(ActorSystem<?> system) {
        JvmMetrics.builder().register(registry);
        Cluster cluster = Cluster.get(system);
        long startedMillis = system.startTime();
        String version = BuildInfo.version();

        GaugeWithCallback.builder()
                .name("world_node_info")
                .help("Constant 1, labelled with this node's build version and cluster address")
                .labelNames("version", "address")
                .callback(
                        cb -> cb.call(1, version, cluster.selfMember().address().toString()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_node_uptime_seconds")
                .help("Seconds since this node's actor system started")
                .callback(cb -> cb.call((System.currentTimeMillis() - startedMillis) / 1000.0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_members")
                .help("Cluster members as seen by this node, by member status")
                .labelNames("status")
                .callback(cb -> countByStatus(cluster.state()).forEach((status, n) -> cb.call(n, status.toString())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_unreachable_members")
                .help("Members this node's failure detector currently considers unreachable")
                .callback(cb -> cb.call(cluster.state().getUnreachable().size()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_self_up")
                .help("1 when this node's own member status is Up, else 0")
                .callback(cb -> cb.call(cluster.selfMember().status() == MemberStatus.up() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_is_leader")
                .help("1 when this node is the cluster leader, else 0")
                .callback(cb -> cb.call(
                        cluster.selfMember().address().equals(cluster.state().getLeader()) ? 1 : 0))
                .register(registry);
        registerCellMetrics(RegionDirectory.get(system));
        registerShardMetrics(
                RegionDirectory.get(system),
                CellShards.fromConfig(system.settings().config()));
    }

    /**
     * The cell numbers combined per Cluster Sharding shard (label {@code shard}: a block of neighbouring cells, see
     * {@link CellShards}), the unit that moves between nodes: sums, and the worst tick time and dilation.
     */
    private void registerShardMetrics(RegionDirectory cells, CellShards shards) {
        GaugeWithCallback.builder()
                .name("world_node_shards")
                .help("Cluster Sharding shards of cells running on this node")
                .callback(cb -> cb.call(byShard(cells, shards).size()))
                .register(registry);
        shardGauge(cells, shards, "world_shard_avatars", "Avatars the shard's cells own", CellTelemetry::avatars);
        shardGauge(
                cells,
                shards,
                "world_shard_tick_p99_seconds",
                "Worst 99th percentile tick duration of the shard's cells",
                t -> t.tickP99Micros() / 1e6);
        shardGauge(
                cells,
                shards,
                "world_shard_dilation",
                "Lowest simulation speed relative to wall time of the shard's cells",
                CellTelemetry::dilation);
        shardGauge(
                cells,
                shards,
                "world_shard_attention_mass_seconds",
                "Attention-seconds the shard's cells accumulated and have not yet settled",
                CellTelemetry::attentionMass);
        CounterWithCallback.builder()
                .name("world_shard_inputs")
                .help("Client inputs the shard's cells received, by outcome")
                .labelNames("shard", "outcome")
                .callback(cb -> byShard(cells, shards).forEach((shard, t) -> {
                    cb.call(t.inputsAccepted(), shard, "accepted");
                    cb.call(t.inputsRejected(), shard, "rejected");
                }))
                .register(registry);
    }

    private void shardGauge(
            RegionDirectory cells, CellShards shards, String name, String help, ToDoubleFunction<CellTelemetry> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("shard")
                .callback(cb -> byShard(cells, shards).forEach((shard, t) -> cb.call(value.applyAsDouble(t), shard)))
                .register(registry);
    }

    /** Shard → its local cells' telemetry combined. Allocates; once per gauge per scrape. */
    private static Map<String, CellTelemetry> byShard(RegionDirectory cells, CellShards shards) {
        Map<String, List<CellTelemetry>> grouped = new HashMap<>();
        cells.telemetry()
                .forEach((id, t) -> grouped.computeIfAbsent(shards.shardOf(id), any -> new ArrayList<>())
                        .add(t));
        Map<String, CellTelemetry> combined = new HashMap<>();
        grouped.forEach((shard, members) -> combined.put(shard, CellTelemetry.combine(members)));
        return combined;
    }

    /**
     * Per-cell series (labels {@code region}, {@code cell}) for the cells running on this node, from the telemetry
     * each publishes about once a second; a region's numbers on this node are their sum (or worst, for times).
     */
    private void registerCellMetrics(RegionDirectory cells) {
        GaugeWithCallback.builder()
                .name("world_node_cells")
                .help("Cells (sharded region actors) running on this node")
                .callback(cb -> cb.call(cells.cells().size()))
                .register(registry);
        cellGauge(cells, "world_cell_avatars", "Avatars the cell owns", CellTelemetry::avatars);
        cellGauge(
                cells,
                "world_cell_ghosts",
                "Neighbour cells' avatars near the border that the cell sees",
                CellTelemetry::ghosts);
        cellGauge(
                cells,
                "world_cell_tick_p50_seconds",
                "Median tick duration over the last 256 ticks",
                t -> t.tickP50Micros() / 1e6);
        cellGauge(
                cells,
                "world_cell_tick_p99_seconds",
                "99th percentile tick duration over the last 256 ticks",
                t -> t.tickP99Micros() / 1e6);
        cellGauge(
                cells,
                "world_cell_dilation",
                "Simulation speed relative to wall time; below 1 the cell is overloaded",
                CellTelemetry::dilation);
        cellGauge(
                cells,
                "world_cell_attention_mass_seconds",
                "Attention-seconds accumulated and not yet settled",
                CellTelemetry::attentionMass);
        CounterWithCallback.builder()
                .name("world_cell_ticks")
                .help("Ticks the cell has run")
                .labelNames("region", "cell")
                .callback(cb -> cells.telemetry().forEach((id, t) -> cb.call(t.ticks(), id.region(), id.entityId())))
                .register(registry);
        CounterWithCallback.builder()
                .name("world_cell_inputs")
                .help("Client inputs the cell received, by outcome")
                .labelNames("region", "cell", "outcome")
                .callback(cb -> cells.telemetry().forEach((id, t) -> {
                    cb.call(t.inputsAccepted(), id.region(), id.entityId(), "accepted");
                    cb.call(t.inputsRejected(), id.region(), id.entityId(), "rejected");
                }))
                .register(registry);
        CounterWithCallback.builder()
                .name("world_cell_entity_updates")
                .help("Entity updates the cell's ticks chose to send to observers")
                .labelNames("region", "cell")
                .callback(cb -> cells.outputs()
                        .forEach((id, counter) -> cb.call(counter.updates(), id.region(), id.entityId())))
                .register(registry);
    }

    private void cellGauge(RegionDirectory cells, String name, String help, ToDoubleFunction<CellTelemetry> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("region", "cell")
                .callback(cb -> cells.telemetry()
                        .forEach((id, t) -> cb.call(value.applyAsDouble(t), id.region(), id.entityId())))
                .register(registry);
    }

    public static NodeMetrics get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The registry to add a module's own metrics to. Thread-safe. */
    public PrometheusRegistry registry() {
        return registry;
    }

    private static Map<MemberStatus, Integer> countByStatus(ClusterEvent.CurrentClusterState state) {
        Map<MemberStatus, Integer> counts = new HashMap<>();
        for (Member member : state.getMembers()) {
            counts.merge(member.status(), 1, Integer::sum);
        }
        return counts;
    }
}

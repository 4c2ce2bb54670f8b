package org.worldserver.shard.rebalance;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.worldserver.attention.NodeSample;
import org.worldserver.attention.RebalanceSettings;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellShards;
import org.worldserver.shard.region.NodeCapacities;
import org.worldserver.shard.region.RegionDirectory;

/**
 * Every node's reporter: each {@code world.rebalancer.interval} it turns the node's cell numbers into shard samples
 * ({@link ShardTelemetryCollector}) and its own CPU, load and capacity into a {@link NodeSample}, and tells the
 * re-balancing singleton. A lost report costs one interval of history; nothing waits for it.
 *
 * <p>The capacity is checked every second (with {@code node-capacity = auto} it follows the CPU this node may use,
 * {@link CpuLimit}, which can change while it runs) and published in {@link NodeCapacities} at the start and whenever
 * it changes, so that new shards are placed by it from the first.
 */
public final class ShardTelemetryReporter {

    private enum Tick {
        /** Report telemetry. */
        REPORT,
        /** Check the capacity. */
        CAPACITY
    }

    private static final Duration CAPACITY_CHECK = Duration.ofSeconds(1);

    private ShardTelemetryReporter() {}

    /** Starts this node's reporter, telling {@code rebalancer} (the singleton's proxy). */
    public static void start(ActorSystem<?> system, ActorRef<ShardRebalancer.Command> rebalancer) {
        var config = system.settings().config();
        RebalanceSettings settings = RebalanceSettings.fromRootConfig(config);
        ShardTelemetryCollector collector = new ShardTelemetryCollector(
                CellShards.fromConfig(config),
                config.getBytes("world.interest.update-size").intValue());
        RegionDirectory cells = RegionDirectory.get(system);
        Address self = Cluster.get(system).selfMember().address();
        String node = self.toString();
        CpuLimit cpuLimit = CpuLimit.ofThisProcess();
        Clock clock = Clock.systemUTC();
        Behavior<Tick> reporter = Behaviors.<Tick>supervise(Behaviors.withTimers(timers -> {
                    timers.startTimerWithFixedDelay(Tick.REPORT, settings.interval());
                    timers.startTimerWithFixedDelay(Tick.CAPACITY, CAPACITY_CHECK);
                    NodeLoad load = new NodeLoad(cpuLimit, settings);
                    NodeCapacities.publish(system, self, load.capacity());
                    return Behaviors.receiveMessage(tick -> {
                        if (tick == Tick.CAPACITY) {
                            if (load.capacityChanged()) {
                                NodeCapacities.publish(system, self, load.capacity());
                            }
                            return Behaviors.same();
                        }
                        long now = clock.millis();
                        rebalancer.tell(new ShardRebalancer.Report(
                                collector.collect(now, node, cells.telemetry(), updates(cells)),
                                new NodeSample(node, now, load.cpuSinceLastReport(), loadPerCore(), load.capacity())));
                        return Behaviors.same();
                    });
                }))
                .onFailure(SupervisorStrategy.restart()); // a failed collection costs one interval, not the reporter
        system.systemActorOf(reporter, "shard-telemetry-reporter", Props.empty());
    }

    /**
     * The node's CPU limit and capacity as last checked, and its CPU use between reports (a share of that limit, so
     * that a report's CPU and capacity agree). Owned by the reporter's actor.
     */
    private static final class NodeLoad {
        private final CpuLimit limit;
        private final RebalanceSettings settings;
        private double cores;
        private long cpuNanos = processCpuNanos();
        private long wallNanos = System.nanoTime();

        NodeLoad(CpuLimit limit, RebalanceSettings settings) {
            this.limit = limit;
            this.settings = settings;
            this.cores = limit.cores();
        }

        double capacity() {
            return settings.nodeCapacity(cores);
        }

        /** Reads the CPU limit again; true if the capacity changed. */
        boolean capacityChanged() {
            double before = capacity();
            cores = limit.cores();
            return capacity() != before;
        }

        /**
         * The process's CPU time since the last report over the wall time, as a share of the cores it may use: 0 to
         * 1 (0 where the platform does not give the process's CPU time).
         */
        double cpuSinceLastReport() {
            long cpu = processCpuNanos();
            long wall = System.nanoTime();
            double share = cpu < 0 || cpuNanos < 0 || wall <= wallNanos
                    ? 0
                    : (double) (cpu - cpuNanos) / (wall - wallNanos) / cores;
            cpuNanos = cpu;
            wallNanos = wall;
            return Math.min(1, Math.max(0, share));
        }
    }

    private static Map<CellId, Long> updates(RegionDirectory cells) {
        Map<CellId, Long> updates = new HashMap<>();
        cells.outputs().forEach((cell, counter) -> updates.put(cell, counter.updates()));
        return updates;
    }

    /** The JVM process's CPU time so far, in ns; −1 when the platform does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }

    private static double finiteOrZero(double v) {
        return Double.isFinite(v) ? Math.max(0, v) : 0;
    }

    /** The one-minute load average per core (0 when the platform does not say). */
    private static double loadPerCore() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return finiteOrZero(os.getSystemLoadAverage()) / os.getAvailableProcessors();
    }
}

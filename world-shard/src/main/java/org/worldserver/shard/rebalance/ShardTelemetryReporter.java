package org.worldserver.shard.rebalance;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
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
import org.worldserver.shard.region.RegionDirectory;

/**
 * Every node's reporter: each {@code world.rebalancer.interval} it turns the node's cell numbers into shard samples
 * ({@link ShardTelemetryCollector}) and its own CPU, load and capacity (measured anew each time with {@code
 * node-capacity = auto}: {@link CpuLimit}) into a {@link NodeSample}, and tells the re-balancing singleton. A lost report costs one interval of history; nothing waits for it.
 */
public final class ShardTelemetryReporter {

    private enum Tick {
        INSTANCE
    }

    private ShardTelemetryReporter() {}

    /** Starts this node's reporter, telling {@code rebalancer} (the singleton's proxy). */
    public static void start(ActorSystem<?> system, ActorRef<ShardRebalancer.Command> rebalancer) {
        var config = system.settings().config();
        RebalanceSettings settings = RebalanceSettings.fromRootConfig(config);
        ShardTelemetryCollector collector = new ShardTelemetryCollector(
                CellShards.fromConfig(config),
                config.getBytes("world.interest.update-size").intValue());
        RegionDirectory cells = RegionDirectory.get(system);
        String node = Cluster.get(system).selfMember().address().toString();
        CpuLimit cpuLimit = CpuLimit.ofThisProcess();
        Clock clock = Clock.systemUTC();
        Behavior<Tick> reporter = Behaviors.<Tick>supervise(Behaviors.withTimers(timers -> {
                    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
                    return Behaviors.receiveMessage(tick -> {
                        long now = clock.millis();
                        rebalancer.tell(new ShardRebalancer.Report(
                                collector.collect(now, node, cells.telemetry(), updates(cells)),
                                new NodeSample(
                                        node,
                                        now,
                                        processCpu(),
                                        loadPerCore(),
                                        settings.nodeCapacity(cpuLimit.cores()))));
                        return Behaviors.same();
                    });
                }))
                .onFailure(SupervisorStrategy.restart()); // a failed collection costs one interval, not the reporter
        system.systemActorOf(reporter, "shard-telemetry-reporter", Props.empty());
    }

    private static Map<CellId, Long> updates(RegionDirectory cells) {
        Map<CellId, Long> updates = new HashMap<>();
        cells.outputs().forEach((cell, counter) -> updates.put(cell, counter.updates()));
        return updates;
    }

    /** The JVM process's share of the machine's CPU, 0 to 1 (0 when the platform does not say). */
    private static double processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return finiteOrZero(os.getProcessCpuLoad());
        }
        return 0;
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

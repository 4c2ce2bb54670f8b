package org.worldserver.attention;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The {@code world.rebalancer} section (reference.conf explains each).
 *
 * @param placement who places the shards of cells ({@code world.rebalancer.strategy})
 * @param model a trained importance network's file, or empty for the trend heuristic
 * @param interval how often telemetry is gathered and a decision taken
 * @param decayPerSecond δ: importance measured t seconds ago counts e^(−δt)
 * @param startSpread moves start when the heaviest node's weight exceeds the lightest's by more than this
 * @param stopSpread once moving, moves go on until the spread is below this (hysteresis: below startSpread)
 * @param maxMovesPerInterval most shard moves one decision makes
 * @param cooldown a moved shard is not moved again within this
 * @param returnAfter a moved shard is not moved back to the node it left within this (at least the cooldown)
 * @param moveCostBase the cost of moving any shard, in node-weight points
 * @param moveCostPerAvatar the cost of each avatar a moved shard carries (its sessions pause while it moves)
 * @param nodeCapacity C: the importance this node takes (attention-seconds per second), or empty ({@code auto}) for
 *     {@code capacityPerCore} times the CPU cores it may use, measured
 * @param capacityPerCore with {@code node-capacity = auto}: the importance a node takes per core it may use
 * @param targetMaxCpu a node that used more than this share of the CPU it may use is not the target of a move the
 *     re-balancer decides (0 to 1)
 * @param historyLength intervals of telemetry kept per shard
 * @param moveCheckInterval how often Pekko's shard coordinator applies the locations the re-balancer set (the cells'
 *     rebalance interval, with the attention placement)
 */
public record RebalanceSettings(
        Placement placement,
        String model,
        Duration interval,
        double decayPerSecond,
        double startSpread,
        double stopSpread,
        int maxMovesPerInterval,
        Duration cooldown,
        Duration returnAfter,
        double moveCostBase,
        double moveCostPerAvatar,
        OptionalDouble nodeCapacity,
        double capacityPerCore,
        double targetMaxCpu,
        int historyLength,
        Duration moveCheckInterval) {

    /** Who places the shards of cells. */
    public enum Placement {
        /** The re-balancer, through Pekko's external shard allocation. */
        ATTENTION,
        /** Pekko's default allocation (least shards per node); the re-balancer only records what it would move. */
        LEAST_SHARD;

        static Placement fromConfig(String value) {
            return switch (value) {
                case "attention" -> ATTENTION;
                case "least-shard" -> LEAST_SHARD;
                default ->
                    throw new IllegalArgumentException(
                            "world.rebalancer.strategy is attention or least-shard, not " + value);
            };
        }
    }

    public RebalanceSettings {
        if (stopSpread < 0 || stopSpread >= startSpread) {
            throw new IllegalArgumentException(
                    "world.rebalancer: 0 <= stop-spread < start-spread, was " + stopSpread + " and " + startSpread);
        }
        if (maxMovesPerInterval < 0 || decayPerSecond < 0 || moveCostBase < 0 || moveCostPerAvatar < 0) {
            throw new IllegalArgumentException("world.rebalancer: limits, decay and costs must not be negative");
        }
        if (returnAfter.compareTo(cooldown) < 0) {
            throw new IllegalArgumentException("world.rebalancer: return-after must be at least the cooldown, was "
                    + returnAfter + " and " + cooldown);
        }
        if (nodeCapacity.isPresent() && nodeCapacity.getAsDouble() <= 0 || capacityPerCore <= 0 || historyLength < 1) {
            throw new IllegalArgumentException(
                    "world.rebalancer: node-capacity auto or > 0, capacity-per-core > 0 and history-length >= 1");
        }
        if (!(targetMaxCpu > 0 && targetMaxCpu <= 1)) {
            throw new IllegalArgumentException("world.rebalancer: 0 < target-max-cpu <= 1, was " + targetMaxCpu);
        }
        if (moveCheckInterval.isNegative() || moveCheckInterval.isZero()) {
            throw new IllegalArgumentException(
                    "world.rebalancer: move-check-interval must be positive, was " + moveCheckInterval);
        }
    }

    /** C for a node that may use {@code cores} CPU cores: the configured capacity, or capacity-per-core × cores. */
    public double nodeCapacity(double cores) {
        return nodeCapacity.orElse(capacityPerCore * cores);
    }

    public static RebalanceSettings fromRootConfig(Config root) {
        Config c = root.getConfig("world.rebalancer");
        return new RebalanceSettings(
                Placement.fromConfig(c.getString("strategy")),
                c.getString("model"),
                c.getDuration("interval"),
                c.getDouble("decay-per-second"),
                c.getDouble("start-spread"),
                c.getDouble("stop-spread"),
                c.getInt("max-moves-per-interval"),
                c.getDuration("cooldown"),
                c.getDuration("return-after"),
                c.getDouble("move-cost-base"),
                c.getDouble("move-cost-per-avatar"),
                c.getString("node-capacity").equals("auto")
                        ? OptionalDouble.empty()
                        : OptionalDouble.of(c.getDouble("node-capacity")),
                c.getDouble("capacity-per-core"),
                c.getDouble("target-max-cpu"),
                c.getInt("history-length"),
                c.getDuration("move-check-interval"));
    }
}

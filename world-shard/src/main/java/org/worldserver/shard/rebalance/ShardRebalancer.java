package org.worldserver.shard.rebalance;

import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.worldserver.attention.AttentionNetwork;
import org.worldserver.attention.Decision;
import org.worldserver.attention.ImportanceModel;
import org.worldserver.attention.NodeSample;
import org.worldserver.attention.RebalanceSettings;
import org.worldserver.attention.Rebalancer;
import org.worldserver.attention.ShardSample;
import org.worldserver.attention.TelemetryHistory;
import org.worldserver.attention.TrendImportance;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.shard.region.WorldRegions;

/**
 * The cluster's one re-balancer (a cluster singleton): every node's {@link ShardTelemetryReporter} sends it its
 * shards' telemetry each interval; each interval it scores the shards with the importance model (the trained network
 * named in {@code world.rebalancer.model}, else {@link TrendImportance}), asks the {@link Rebalancer} what to move,
 * and keeps the last {@value #KEPT} decisions for {@code GET /attention/decisions}.
 *
 * <p>With {@code world.rebalancer.strategy = attention} the cell shards are allocated by Pekko's
 * ExternalShardAllocationStrategy and this actor moves them: it sets each chosen shard's location, and the shard
 * coordinator moves it at its next rebalance round. With {@code least-shard} (Pekko's default allocation) it decides
 * the same way but only records what it would have moved, so both can be compared on the same run.
 *
 * <p>The model runs on this actor's thread: a forward pass over the shards takes milliseconds.
 */
public final class ShardRebalancer {

    static final int KEPT = 100;

    public sealed interface Command extends CborSerializable {}

    /** One node's interval: its shards' samples and its own numbers. */
    public record Report(List<ShardSample> shards, NodeSample node) implements Command {}

    public record GetShards(ActorRef<ShardsView> replyTo) implements Command {}

    public record GetDecisions(ActorRef<DecisionsView> replyTo) implements Command {}

    enum Tick implements Command {
        INSTANCE
    }

    /** A shard as {@code GET /attention/shards} shows it: where it runs, its latest numbers and its score. */
    public record ShardView(String shard, String node, ShardSample latest, Double importance) {}

    /** A node: its latest numbers and its weight in the latest decision. */
    public record NodeView(String node, NodeSample latest, Double weight) {}

    public record ShardsView(
            String strategy, String model, long decisions, long moves, List<NodeView> nodes, List<ShardView> shards)
            implements CborSerializable {}

    public record DecisionsView(String strategy, List<Decision> decisions) implements CborSerializable {}

    /** How shards are placed: by the attention re-balancer, or by Pekko's least-shard strategy (observed only). */
    public enum Strategy {
        ATTENTION,
        LEAST_SHARD;

        public static Strategy fromConfig(String value) {
            return switch (value) {
                case "attention" -> ATTENTION;
                case "least-shard" -> LEAST_SHARD;
                default ->
                    throw new IllegalArgumentException(
                            "world.rebalancer.strategy is attention or least-shard, not " + value);
            };
        }
    }

    /** The singleton's proxy on this node (starting the singleton's manager here the first time; idempotent). */
    public static ActorRef<Command> proxy(ActorSystem<?> system) {
        return init(system, WorldRegions.CELL_KEY.name());
    }

    private static ActorRef<Command> init(ActorSystem<?> system, String cellTypeName) {
        return ClusterSingleton.get(system)
                .init(SingletonActor.of(
                        Behaviors.supervise(create(system, cellTypeName)).onFailure(SupervisorStrategy.restart()),
                        "shard-rebalancer"));
    }

    private static Behavior<Command> create(ActorSystem<?> system, String cellTypeName) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            var config = system.settings().config();
            RebalanceSettings settings = RebalanceSettings.fromRootConfig(config);
            Strategy strategy = Strategy.fromConfig(config.getString("world.rebalancer.strategy"));
            ImportanceModel model = model(config.getString("world.rebalancer.model"), context);
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
            ExternalShardAllocationClient client = strategy == Strategy.ATTENTION
                    ? ExternalShardAllocation.get(system).getClient(cellTypeName)
                    : null;
            return new State(context, settings, strategy, model, client, Clock.systemUTC()).behavior();
        }));
    }

    /** The network saved at {@code path}, or the trend heuristic when none is named (or it cannot be read). */
    private static ImportanceModel model(String path, ActorContext<Command> context) {
        if (path.isBlank()) {
            return new TrendImportance();
        }
        try {
            return AttentionNetwork.load(new File(path));
        } catch (IOException | RuntimeException e) {
            context.getLog().error("world.rebalancer.model {} cannot be read ({}); using the trend heuristic", path, e);
            return new TrendImportance();
        }
    }

    /** The singleton's state; used on its thread only. */
    private static final class State {
        private final ActorContext<Command> context;
        private final RebalanceSettings settings;
        private final Strategy strategy;
        private final ImportanceModel model;
        private final ExternalShardAllocationClient client;
        private final Clock clock;
        private final TelemetryHistory history;
        private final Rebalancer rebalancer;
        private final Deque<Decision> decisions = new ArrayDeque<>();
        private final Map<String, Double> scores = new TreeMap<>();
        private long decided;
        private long moved;

        State(
                ActorContext<Command> context,
                RebalanceSettings settings,
                Strategy strategy,
                ImportanceModel model,
                ExternalShardAllocationClient client,
                Clock clock) {
            this.context = context;
            this.settings = settings;
            this.strategy = strategy;
            this.model = model;
            this.client = client;
            this.clock = clock;
            this.history = new TelemetryHistory(settings.historyLength());
            this.rebalancer = new Rebalancer(settings);
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Report.class, r -> {
                        r.shards().forEach(history::add);
                        history.add(r.node());
                        return Behaviors.same();
                    })
                    .onMessage(Tick.class, t -> {
                        decide();
                        return Behaviors.same();
                    })
                    .onMessage(GetShards.class, g -> {
                        g.replyTo().tell(shardsView());
                        return Behaviors.same();
                    })
                    .onMessage(GetDecisions.class, g -> {
                        g.replyTo().tell(new DecisionsView(strategyName(), List.copyOf(decisions)));
                        return Behaviors.same();
                    })
                    .build();
        }

        private void decide() {
            long now = clock.millis();
            history.forgetSilentSince(now - 3 * settings.interval().toMillis());
            Map<String, Double> predicted = model.predict(history);
            scores.clear();
            scores.putAll(predicted);
            List<Rebalancer.ShardState> shards = new ArrayList<>();
            for (String shard : history.shards()) {
                ShardSample latest = history.latest(shard);
                shards.add(new Rebalancer.ShardState(
                        shard,
                        latest.node(),
                        predicted.getOrDefault(shard, 0.0),
                        Math.max(0, now - latest.endMillis()) / 1000.0,
                        latest.avatars()));
            }
            Map<String, Double> capacities = new TreeMap<>();
            Cluster.get(context.getSystem()).state().getMembers().forEach(m -> {
                if (m.status() == MemberStatus.up()) {
                    String node = m.address().toString();
                    NodeSample sample = history.nodes().get(node);
                    capacities.put(node, sample != null ? sample.capacity() : settings.nodeCapacity());
                }
            });
            Decision decision = rebalancer.decide(now, shards, capacities, model.name());
            decided++;
            if (!decision.moves().isEmpty()) {
                moved += decision.moves().size();
                if (client != null) {
                    Map<String, Address> locations = new HashMap<>();
                    decision.moves().forEach(m -> locations.put(m.shard(), AddressFromURIString.parse(m.to())));
                    client.setShardLocations(locations).whenComplete((done, failure) -> {
                        if (failure != null) {
                            context.getSystem().log().warn("moving shards {} failed: {}", locations.keySet(), failure);
                        }
                    });
                }
                context.getLog().info("re-balancing ({}): {}; {}", strategyName(), decision.moves(), decision.reason());
            }
            decisions.addFirst(decision);
            while (decisions.size() > KEPT) {
                decisions.removeLast();
            }
        }

        private String strategyName() {
            return strategy == Strategy.ATTENTION ? "attention" : "least-shard (decisions recorded, not applied)";
        }

        private ShardsView shardsView() {
            Decision last = decisions.peekFirst();
            List<NodeView> nodes = new ArrayList<>();
            history.nodes()
                    .forEach((node, sample) -> nodes.add(new NodeView(
                            node,
                            sample,
                            last == null ? null : last.weightsBefore().get(node))));
            List<ShardView> shards = new ArrayList<>();
            for (String shard : history.shards()) {
                ShardSample latest = history.latest(shard);
                shards.add(new ShardView(shard, latest.node(), latest, scores.get(shard)));
            }
            return new ShardsView(strategyName(), model.name(), decided, moved, nodes, shards);
        }
    }
}

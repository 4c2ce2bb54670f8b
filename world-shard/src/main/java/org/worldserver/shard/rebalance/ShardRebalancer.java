package org.worldserver.shard.rebalance;

import java.io.File;
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
import org.apache.pekko.pattern.StatusReply;
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
 * coordinator moves it at its next rebalance round. Until the target node reports the shard (or three intervals
 * pass), the shard is weighed on its target, so the next decisions do not move more to make up for a move already
 * under way. With {@code least-shard} (Pekko's default allocation) it decides the same way and records what it would
 * move now ("proposed"), moving nothing.
 *
 * <p>An operator may move one shard to a node ({@link MoveShard}, {@code POST /attention/shards/{shard}/location}):
 * recorded as a decision of its own, under the same cooldown as the re-balancer's moves, after which the re-balancer
 * may move it again like any other.
 *
 * <p>The model runs on this actor's thread: a forward pass over the shards takes milliseconds. Its state (history,
 * hysteresis, cooldowns) is in memory: when the singleton moves to another node it starts afresh.
 */
public final class ShardRebalancer {

    static final int KEPT = 100;
    /** Decisions shown by the operator API keep the importance of their moved shards and this many others. */
    static final int SHOWN_SHARDS = 20;

    public sealed interface Command extends CborSerializable {}

    /** One node's interval: its shards' samples and its own numbers. */
    public record Report(List<ShardSample> shards, NodeSample node) implements Command {}

    public record GetShards(ActorRef<ShardsView> replyTo) implements Command {}

    public record GetDecisions(ActorRef<DecisionsView> replyTo) implements Command {}

    public record GetTelemetry(ActorRef<TelemetryView> replyTo) implements Command {}

    /**
     * An operator's move of {@code shard} to {@code node} (a cluster address). Answered once the location is stored
     * (the shard coordinator moves the shard at its next rebalance round), or refused: {@code placement-not-external}
     * (strategy least-shard), {@code shard-unknown} (no node reports it), {@code node-unknown} (not an Up member), or
     * {@code world-busy} (the location could not be stored).
     */
    public record MoveShard(String shard, String node, ActorRef<StatusReply<ShardMoved>> replyTo) implements Command {}

    /** A move an operator asked for: {@code from} where it ran (or was already going), {@code to} where it goes. */
    public record ShardMoved(String shard, String from, String to) implements CborSerializable {}

    enum Tick implements Command {
        INSTANCE
    }

    /** The shard coordinator took (or refused) the locations of a decision's moves. */
    private record MovesApplied(List<String> shards, String failure) implements Command {}

    /** The location of an operator's move was stored (failure null) or not. */
    private record OperatorMoveApplied(ShardMoved move, String failure, ActorRef<StatusReply<ShardMoved>> replyTo)
            implements Command {}

    /** A shard as {@code GET /attention/shards} shows it: where it runs, its latest numbers and its score. */
    public record ShardView(String shard, String node, ShardSample latest, Double importance, String movingTo) {}

    /** A node: its latest numbers and its weight in the latest decision. */
    public record NodeView(String node, NodeSample latest, Double weight) {}

    /**
     * @param moves shard moves applied so far (attention), or 0
     * @param proposed moves the decisions chose (with least-shard: what the re-balancer would have moved)
     */
    public record ShardsView(
            String strategy,
            String model,
            long decisions,
            long moves,
            long proposed,
            List<NodeView> nodes,
            List<ShardView> shards)
            implements CborSerializable {}

    public record DecisionsView(String strategy, List<Decision> decisions) implements CborSerializable {}

    /** The whole history the re-balancer keeps: every shard's intervals (oldest first) and every node's latest. */
    public record TelemetryView(List<ShardSample> shards, List<NodeSample> nodes) implements CborSerializable {}

    private ShardRebalancer() {}

    /** The singleton's proxy on this node (starting the singleton's manager here the first time; idempotent). */
    public static ActorRef<Command> proxy(ActorSystem<?> system) {
        return ClusterSingleton.get(system)
                .init(SingletonActor.of(
                        Behaviors.supervise(create(system)).onFailure(SupervisorStrategy.restart()),
                        "shard-rebalancer"));
    }

    private static Behavior<Command> create(ActorSystem<?> system) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            RebalanceSettings settings =
                    RebalanceSettings.fromRootConfig(system.settings().config());
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
            ExternalShardAllocationClient client = settings.placement() == RebalanceSettings.Placement.ATTENTION
                    ? ExternalShardAllocation.get(system).getClient(WorldRegions.CELL_KEY.name())
                    : null;
            return new State(context, settings, model(settings.model(), context), client, Clock.systemUTC()).behavior();
        }));
    }

    /** The network saved at {@code path}, or the trend heuristic when none is named (or it cannot be loaded). */
    private static ImportanceModel model(String path, ActorContext<Command> context) {
        if (path.isBlank()) {
            return new TrendImportance();
        }
        try {
            return AttentionNetwork.load(new File(path));
        } catch (Exception | LinkageError e) { // unreadable, or ND4J's natives do not load on this platform
            context.getLog().error("world.rebalancer.model {} cannot be used ({}); using the trend heuristic", path, e);
            return new TrendImportance();
        }
    }

    /** A move set, not yet seen done: the shard counts on {@code to} until {@code to} reports it or it times out. */
    private record Pending(String to, long sinceMillis) {}

    /** The singleton's state; used on its thread only. */
    private static final class State {
        private final ActorContext<Command> context;
        private final RebalanceSettings settings;
        private final ImportanceModel model;
        private final ExternalShardAllocationClient client;
        private final Clock clock;
        private final TelemetryHistory history;
        private final Rebalancer rebalancer;
        private final Deque<Decision> decisions = new ArrayDeque<>();
        private final Map<String, Double> scores = new TreeMap<>();
        private final Map<String, Pending> pending = new HashMap<>();
        private long decided;
        private long moved;
        private long proposed;

        State(
                ActorContext<Command> context,
                RebalanceSettings settings,
                ImportanceModel model,
                ExternalShardAllocationClient client,
                Clock clock) {
            this.context = context;
            this.settings = settings;
            this.model = model;
            this.client = client;
            this.clock = clock;
            this.history = new TelemetryHistory(
                    settings.historyLength(), settings.interval().toMillis());
            this.rebalancer = new Rebalancer(settings);
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Report.class, r -> {
                        for (ShardSample s : r.shards()) {
                            history.add(s);
                            Pending p = pending.get(s.shard());
                            if (p != null && p.to().equals(s.node())) {
                                pending.remove(s.shard()); // it runs where it was sent
                            }
                        }
                        history.add(r.node());
                        return Behaviors.same();
                    })
                    .onMessage(Tick.class, t -> {
                        decide();
                        return Behaviors.same();
                    })
                    .onMessage(MovesApplied.class, this::onMovesApplied)
                    .onMessage(MoveShard.class, this::onMoveShard)
                    .onMessage(OperatorMoveApplied.class, this::onOperatorMoveApplied)
                    .onMessage(GetShards.class, g -> {
                        g.replyTo().tell(shardsView());
                        return Behaviors.same();
                    })
                    .onMessage(GetDecisions.class, g -> {
                        List<Decision> shown = new ArrayList<>();
                        decisions.forEach(d -> shown.add(d.compact(SHOWN_SHARDS)));
                        g.replyTo().tell(new DecisionsView(strategyName(), shown));
                        return Behaviors.same();
                    })
                    .onMessage(GetTelemetry.class, g -> {
                        List<ShardSample> all = new ArrayList<>();
                        history.shards().forEach(shard -> all.addAll(history.of(shard)));
                        g.replyTo()
                                .tell(new TelemetryView(
                                        all, List.copyOf(history.nodes().values())));
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> onMovesApplied(MovesApplied applied) {
            if (applied.failure() != null) {
                context.getLog().warn("moving shards {} failed: {}", applied.shards(), applied.failure());
                applied.shards().forEach(shard -> {
                    pending.remove(shard);
                    rebalancer.moveFailed(shard);
                });
                moved -= applied.shards().size();
            }
            return Behaviors.same();
        }

        private Behavior<Command> onMoveShard(MoveShard m) {
            if (client == null) {
                m.replyTo()
                        .tell(StatusReply.error("placement-not-external: world.rebalancer.strategy is least-shard, so"
                                + " Pekko's allocation places the shards"));
                return Behaviors.same();
            }
            if (!history.shards().contains(m.shard())) {
                m.replyTo().tell(StatusReply.error("shard-unknown: no node reports shard " + m.shard()));
                return Behaviors.same();
            }
            if (!upNodes().contains(m.node())) {
                m.replyTo()
                        .tell(StatusReply.error("node-unknown: " + m.node() + " is not an Up member of the cluster"));
                return Behaviors.same();
            }
            long now = clock.millis();
            Pending under = pending.get(m.shard());
            String from = under != null ? under.to() : history.latest(m.shard()).node();
            ShardMoved move = new ShardMoved(m.shard(), from, m.node());
            // The location is stored even when the shard seems to be there already: the stored one may differ (a move
            // whose pending entry has expired, or a location naming a node that left).
            context.pipeToSelf(
                    client.setShardLocation(m.shard(), AddressFromURIString.parse(m.node())),
                    (done, failure) ->
                            new OperatorMoveApplied(move, failure == null ? null : failure.toString(), m.replyTo()));
            if (from.equals(m.node())) {
                return Behaviors.same();
            }
            pending.put(m.shard(), new Pending(m.node(), now));
            rebalancer.moved(m.shard(), from, now);
            moved++;
            double importance = scores.getOrDefault(m.shard(), 0.0);
            record(new Decision(
                    now,
                    "operator",
                    Map.of(m.shard(), importance),
                    Map.of(),
                    Map.of(),
                    0,
                    0,
                    false,
                    List.of(new Decision.Move(
                            m.shard(),
                            from,
                            m.node(),
                            importance,
                            history.latest(m.shard()).avatars(),
                            0,
                            0)),
                    "moved by an operator (POST /attention/shards/" + m.shard() + "/location)"));
            return Behaviors.same();
        }

        private Behavior<Command> onOperatorMoveApplied(OperatorMoveApplied applied) {
            if (applied.failure() == null) {
                context.getLog()
                        .info(
                                "re-balancing: {} placed on {} by an operator{}",
                                applied.move().shard(),
                                applied.move().to(),
                                applied.move().from().equals(applied.move().to()) ? " (it was there)" : "");
                applied.replyTo().tell(StatusReply.success(applied.move()));
            } else {
                if (!applied.move().from().equals(applied.move().to())) {
                    onMovesApplied(new MovesApplied(List.of(applied.move().shard()), applied.failure()));
                }
                applied.replyTo()
                        .tell(StatusReply.error("world-busy: the shard's location could not be stored ("
                                + applied.failure() + "); try again"));
            }
            return Behaviors.same();
        }

        /** The cluster's members that are Up, by address. */
        private List<String> upNodes() {
            List<String> up = new ArrayList<>();
            Cluster.get(context.getSystem()).state().getMembers().forEach(m -> {
                if (m.status() == MemberStatus.up()) {
                    up.add(m.address().toString());
                }
            });
            return up;
        }

        private void record(Decision decision) {
            decisions.addFirst(decision);
            while (decisions.size() > KEPT) {
                decisions.removeLast();
            }
        }

        private void decide() {
            long now = clock.millis();
            long interval = settings.interval().toMillis();
            history.forgetSilentSince(now - 3 * interval);
            pending.values().removeIf(p -> now - p.sinceMillis() > 3 * interval); // never seen done: weigh as is
            Map<String, Double> predicted = model.predict(history);
            scores.clear();
            scores.putAll(predicted);
            List<Rebalancer.ShardState> shards = new ArrayList<>();
            for (String shard : history.shards()) {
                ShardSample latest = history.latest(shard);
                Pending moving = pending.get(shard);
                // Only staleness beyond one interval decays: a report is up to one interval old by the way rounds
                // fall, which must not weigh nodes by when they happen to report.
                double staleSeconds = Math.max(0, now - latest.endMillis() - interval) / 1000.0;
                shards.add(new Rebalancer.ShardState(
                        shard,
                        moving != null ? moving.to() : latest.node(),
                        predicted.getOrDefault(shard, 0.0),
                        staleSeconds,
                        history.avatarsAtMove(shard)));
            }
            Map<String, Double> capacities = new TreeMap<>();
            Map<String, Double> cpu = new TreeMap<>();
            // A node that has not reported yet (just joined) is taken to be as large as the reporting nodes on
            // average, or, before any report, as this node's setting would make a one-core node.
            double typical = history.nodes().values().stream()
                    .mapToDouble(NodeSample::capacity)
                    .average()
                    .orElse(settings.nodeCapacity(1));
            for (String node : upNodes()) {
                NodeSample sample = history.nodes().get(node);
                capacities.put(node, sample != null ? sample.capacity() : typical);
                cpu.put(node, sample != null ? sample.cpu() : 0.0);
            }
            Decision decision = rebalancer.decide(now, shards, capacities, cpu, model.name());
            decided++;
            proposed += decision.moves().size();
            if (!decision.moves().isEmpty()) {
                if (client != null) {
                    apply(decision, now);
                } else {
                    decision.moves().forEach(m -> rebalancer.moveFailed(m.shard())); // recorded, not made
                }
                context.getLog().info("re-balancing ({}): {}; {}", strategyName(), decision.moves(), decision.reason());
            }
            record(decision);
        }

        /** Sets the moved shards' locations; the coordinator moves them at its next rebalance round. */
        private void apply(Decision decision, long now) {
            Map<String, Address> locations = new HashMap<>();
            List<String> shards = new ArrayList<>();
            decision.moves().forEach(m -> {
                locations.put(m.shard(), AddressFromURIString.parse(m.to()));
                shards.add(m.shard());
                pending.put(m.shard(), new Pending(m.to(), now));
            });
            moved += shards.size();
            context.pipeToSelf(
                    client.setShardLocations(locations),
                    (done, failure) -> new MovesApplied(shards, failure == null ? null : failure.toString()));
        }

        private String strategyName() {
            return client != null ? "attention" : "least-shard (moves proposed, not made)";
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
                Pending moving = pending.get(shard);
                shards.add(new ShardView(
                        shard, latest.node(), latest, scores.get(shard), moving == null ? null : moving.to()));
            }
            return new ShardsView(strategyName(), model.name(), decided, moved, proposed, nodes, shards);
        }
    }
}

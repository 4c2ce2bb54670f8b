package org.worldserver.shard;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.asset.Assets;
import org.worldserver.avatar.Avatar;
import org.worldserver.persistence.PersistenceStartup;
import org.worldserver.shard.attention.RegionAttention;
import org.worldserver.shard.gateway.Gateway;
import org.worldserver.shard.gateway.SessionRelay;
import org.worldserver.shard.gateway.SessionStreams;
import org.worldserver.shard.ops.JournalReadiness;
import org.worldserver.shard.ops.NodeMetrics;
import org.worldserver.shard.rebalance.ShardRebalancer;
import org.worldserver.shard.rebalance.ShardTelemetryReporter;
import org.worldserver.shard.region.CellEnvironment;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDefinition;
import org.worldserver.shard.region.RegionDirectory;
import org.worldserver.shard.region.WorldRegions;
import org.worldserver.timebank.TimeBank;

/**
 * One running world server node: a Pekko cluster member with Cluster Sharding, the Cassandra journal and the
 * operator HTTP API.
 *
 * <pre>
 * start(config):
 *   ActorSystem "world" (binds the cluster port)
 *     → operator API (binds /alive /ready /metrics /info; /ready answers 500 until the steps below are done)
 *     → Cassandra answers? (bounded; else fail with CassandraUnavailableException) → schema in the local profile
 *     → join: seed nodes from config, or itself when there are none
 *     → Cluster Sharding entity types: Avatar, RegionAttention, RegionRegistry, RegionCell
 *     → the regions of world.regions defined in the RegionRegistry (cells start when first addressed)
 *     → the UDP gateway (world.gateway.enabled): Aeron media driver, receiver agent on its own thread
 *   any failure: the ActorSystem is terminated and the returned stage fails.
 * stop: CoordinatedShutdown (leave the cluster, hand off shards, unbind, terminate); SIGTERM runs it too.
 * </pre>
 */
public final class WorldNode {

    public static final String SYSTEM_NAME = "world";

    private final ActorSystem<Void> system;
    private final Uri operatorUri;
    private final String cassandraVersion;

    private WorldNode(ActorSystem<Void> system, Uri operatorUri, String cassandraVersion) {
        this.system = system;
        this.operatorUri = operatorUri;
        this.cassandraVersion = cassandraVersion;
    }

    /**
     * Starts a node from a fully loaded configuration. Creating the ActorSystem happens on the caller's thread
     * (so a taken cluster port throws from here); the rest completes asynchronously.
     */
    public static CompletionStage<WorldNode> start(Config config) {
        NodeSettings settings = NodeSettings.fromRootConfig(config);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
        NodeMetrics.get(system);
        CompletableFuture<WorldNode> node = PekkoManagement.get(system)
                .start()
                .thenCompose(uri -> PersistenceStartup.prepare(system).thenCompose(version -> {
                    JournalReadiness.schemaReady(Adapter.toClassic(system));
                    joinCluster(system);
                    SessionRelay.start(system, SessionStreams.get(system));
                    Avatar.init(system);
                    RegionAttention.init(system, TimeBank.init(system).attentionSettlement()::settle);
                    Assets.init(system);
                    return startRegions(system).thenApply(done -> {
                        ShardTelemetryReporter.start(system, ShardRebalancer.proxy(system));
                        startGateway(system);
                        return new WorldNode(system, uri, version);
                    });
                }))
                .toCompletableFuture()
                .orTimeout(settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return node.whenComplete((ok, error) -> {
            if (error != null) {
                CoordinatedShutdown.get(system).runAll(StartupFailed.INSTANCE);
            }
        });
    }

    /**
     * Why a node that never came up shuts down. application.conf maps it to {@code exit-jvm = off}, so the caller
     * (Main) reports the error and chooses the exit code.
     */
    public enum StartupFailed implements CoordinatedShutdown.Reason {
        INSTANCE
    }

    /**
     * Registers the region entity types, with cells that settle attention into the RegionAttention entity of
     * their region and report positions to the Avatar entities; defines the regions of {@code world.regions}.
     */
    private static CompletionStage<Done> startRegions(ActorSystem<Void> system) {
        Config config = system.settings().config();
        Duration storeTimeout = config.getDuration("world.attention.store-timeout");
        ClusterSharding sharding = ClusterSharding.get(system);
        RegionCell.AttentionSettlement settlement =
                batch -> sharding.entityRefFor(RegionAttention.ENTITY_KEY, batch.region())
                        .<Done>askWithStatus(replyTo -> new RegionAttention.Record(batch, replyTo), storeTimeout);
        RegionDirectory directory = RegionDirectory.get(system);
        CellEnvironment env = CellEnvironment.fromRootConfig(
                config,
                id -> SessionStreams.get(system).sinkFor(id, directory.counterFor(id)),
                directory,
                settlement,
                WorldRegions.peers(system),
                new AvatarPositions(sharding, system.ignoreRef()));
        WorldRegions regions = WorldRegions.init(system, env);
        // On the way down, while sharding still runs: store the attention paid since the last period.
        CoordinatedShutdown.get(system)
                .addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "settle-region-attention", () -> {
                    List<CompletableFuture<Done>> flushes = directory.cells().values().stream()
                            .map(actor -> AskPattern.<RegionCell.Command, Done>ask(
                                            actor, RegionCell.Flush::new, storeTimeout, system.scheduler())
                                    .toCompletableFuture())
                            .toList();
                    return CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new))
                            .thenApply(all -> Done.getInstance());
                });
        CompletableFuture<Done> defined = CompletableFuture.completedFuture(Done.getInstance());
        for (RegionDefinition definition : RegionDefinition.allFromRootConfig(config)) {
            defined = defined.thenCompose(done -> Patterns.retry(
                            () -> regions.define(definition),
                            20,
                            Duration.ofSeconds(1),
                            system.classicSystem().scheduler(),
                            system.executionContext())
                    .thenApply(reply -> {
                        if (reply.isError()) {
                            // The registry keeps the definition it has; say why config is not applied.
                            system.log()
                                    .warn(
                                            "Region {} from world.regions not applied: {}",
                                            definition.name(),
                                            reply.getError().getMessage());
                        }
                        return Done.getInstance();
                    })
                    .toCompletableFuture());
        }
        return defined;
    }

    /**
     * The UDP gateway, when {@code world.gateway.enabled}: stopped when the node begins to shut down, before the
     * cluster is left, so sessions end while their cells still run.
     */
    private static void startGateway(ActorSystem<Void> system) {
        if (!system.settings().config().getBoolean("world.gateway.enabled")) {
            return;
        }
        Gateway gateway = Gateway.start(system);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-udp-gateway", () -> {
            gateway.close();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    /** Positions go to the avatars' persistent records, fire and forget (the record throttles checkpoints). */
    private record AvatarPositions(ClusterSharding sharding, ActorRef<StatusReply<Avatar.Summary>> ignore)
            implements RegionCell.PositionRecorder {
        @Override
        public void checkpoint(String avatarId, String region, float x, float y, float z) {
            sharding.entityRefFor(Avatar.ENTITY_KEY, avatarId)
                    .tell(new Avatar.CheckpointPosition(new Avatar.Position(region, x, y, z), ignore));
        }

        @Override
        public void regionChanged(String avatarId, String region, float x, float y, float z) {
            sharding.entityRefFor(Avatar.ENTITY_KEY, avatarId)
                    .tell(new Avatar.ChangeRegion(new Avatar.Position(region, x, y, z), ignore));
        }
    }

    private static void joinCluster(ActorSystem<Void> system) {
        Cluster cluster = Cluster.get(system);
        if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        // With seed nodes configured the cluster extension joins them by itself.
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Base URI of the operator HTTP API. */
    public Uri operatorUri() {
        return operatorUri;
    }

    /** Release version of the Cassandra node that answered the start-up check. */
    public String cassandraVersion() {
        return cassandraVersion;
    }

    /** Runs CoordinatedShutdown; completes when the ActorSystem has terminated. */
    public CompletionStage<Done> stop() {
        return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
    }
}

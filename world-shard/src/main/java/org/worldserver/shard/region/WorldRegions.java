package org.worldserver.shard.region;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.util.Timeout;
import org.worldserver.attention.RebalanceSettings;

/**
 * The regions of the world as seen from one node: defines and closes regions in the {@link RegionRegistry},
 * routes to the sharded {@link RegionCell}s by position, and gathers a region's state from its cells. Every
 * method is asynchronous and may be called from any thread.
 */
public final class WorldRegions implements Extension {

    private static final ExtensionId<WorldRegions> ID = new ExtensionId<>() {
        @Override
        public WorldRegions createExtension(ActorSystem<?> system) {
            return new WorldRegions(system);
        }
    };

    public static final EntityTypeKey<RegionCell.Command> CELL_KEY =
            EntityTypeKey.create(RegionCell.Command.class, "RegionCell");

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final RegionCatalog catalog;
    private final Duration askTimeout;
    private final String fallbackRegion;

    private WorldRegions(ActorSystem<?> system) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.catalog = RegionCatalog.get(system);
        this.askTimeout = system.settings().config().getDuration("world.region-catalog.ask-timeout");
        this.fallbackRegion = system.settings().config().getString("world.fallback-region");
    }

    /**
     * Registers the RegionRegistry and RegionCell entity types on this node (cells never passivate: they own
     * live avatars; the sharding stop message hands them over; blocks of neighbouring cells share a shard, see
     * {@link CellShards}) and starts the catalog's refresh.
     */
    public static WorldRegions init(ActorSystem<?> system, CellEnvironment env) {
        RegionRegistry.init(system);
        WorldRegions regions = get(system);
        RegionCell.RegionLookup lookup =
                name -> regions.catalog.refresh().thenApply(all -> Optional.ofNullable(all.get(name)));
        RebalanceSettings rebalancing =
                RebalanceSettings.fromRootConfig(system.settings().config());
        boolean attention = rebalancing.placement() == RebalanceSettings.Placement.ATTENTION;
        ClusterShardingSettings settings =
                ClusterShardingSettings.create(system).withNoPassivationStrategy();
        if (attention) {
            // The coordinator applies the locations the re-balancer set every move-check-interval, not every 10 s.
            settings = settings.withTuningParameters(
                    settings.tuningParameters().withRebalanceInterval(rebalancing.moveCheckInterval()));
        }
        var cells = Entity.of(CELL_KEY, ctx -> RegionCell.create(CellId.parse(ctx.getEntityId()), lookup, env))
                .withMessageExtractor(CellShards.fromConfig(system.settings().config()))
                .withStopMessage(RegionCell.Stop.INSTANCE)
                .withSettings(settings);
        if (attention) {
            // The re-balancer sets where each shard goes; a shard it never placed goes to the node with the fewest.
            cells = cells.withAllocationStrategy(
                    new CellAllocationStrategy(system, CELL_KEY.name(), Timeout.create(Duration.ofSeconds(5))));
        }
        regions.sharding.init(cells);
        regions.catalog.startRefreshing();
        return regions;
    }

    /** This node's WorldRegions; usable once {@link #init} has registered the entity types. */
    public static WorldRegions get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** How cells reach each other: through Cluster Sharding, wherever the other cell runs. */
    public static RegionCell.CellPeers peers(ActorSystem<?> system) {
        ClusterSharding sharding = ClusterSharding.get(system);
        return (cell, message) ->
                sharding.entityRefFor(CELL_KEY, cell.entityId()).tell(message);
    }

    public EntityRef<RegionCell.Command> cell(CellId id) {
        return cell(id.entityId());
    }

    /** The cell whose {@link CellId#entityId()} is {@code entityId} (a cell refuses an id that is not a cell's). */
    public EntityRef<RegionCell.Command> cell(String entityId) {
        return sharding.entityRefFor(CELL_KEY, entityId);
    }

    /** The region that receives the avatars of closed regions ({@code world.fallback-region}). */
    public String fallbackRegion() {
        return fallbackRegion;
    }

    public RegionCatalog catalog() {
        return catalog;
    }

    /** Defines a region (idempotent for the same definition); refreshes this node's catalog. */
    public CompletionStage<StatusReply<RegionRegistry.RegionRecord>> define(RegionDefinition definition) {
        return RegionRegistry.ref(system)
                .<StatusReply<RegionRegistry.RegionRecord>>ask(
                        replyTo -> new RegionRegistry.Define(definition, replyTo), askTimeout)
                .thenCompose(reply -> catalog.refresh().thenApply(all -> reply));
    }

    /** Puts an avatar into the open region {@code region} at (x, y, z), in the cell that owns that point. */
    public CompletionStage<StatusReply<RegionCell.Joined>> join(
            String avatarId, String region, float x, float y, float z) {
        return openDefinition(region)
                .thenCompose(definition -> definition
                        .map(d -> cell(new CellLayout(d).cellAt(x, z))
                                .<StatusReply<RegionCell.Joined>>ask(
                                        replyTo -> new RegionCell.Join(avatarId, x, y, z, replyTo), askTimeout))
                        .orElseGet(() -> CompletableFuture.completedFuture(StatusReply.error(notOpen(region)))));
    }

    /**
     * The status of the cell that owns (x, z) in the open region {@code region} (which node runs it, among the rest),
     * within {@code timeout}; empty when the region is not open. Starts the cell if it does not run yet.
     */
    public CompletionStage<Optional<RegionCell.CellStatus>> statusAt(
            String region, float x, float z, Duration timeout) {
        return openDefinition(region)
                .thenCompose(definition -> definition.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : cell(new CellLayout(definition.get()).cellAt(x, z))
                                .ask(RegionCell.GetStatus::new, timeout)
                                .thenApply(Optional::of));
    }

    /**
     * Closes {@code region}: the registry marks it closed (no cell accepts avatars from then), then every cell
     * hands its avatars to the fallback region. Completes with the cells' answers.
     */
    public CompletionStage<StatusReply<List<RegionCell.Evacuated>>> close(String region) {
        CompletionStage<StatusReply<RegionRegistry.RegionRecord>> closed = RegionRegistry.ref(system)
                .ask(replyTo -> new RegionRegistry.Close(region, fallbackRegion, replyTo), askTimeout);
        return closed.thenCompose(reply -> {
            if (reply.isError()) {
                return CompletableFuture.completedFuture(StatusReply.error(reply.getError()));
            }
            return catalog.refresh().thenCompose(all -> {
                RegionDefinition fallback = all.get(reply.getValue().fallback()).definition();
                return askEveryCell(
                                reply.getValue().definition(),
                                id -> cell(id).<RegionCell.Evacuated>ask(
                                                replyTo -> new RegionCell.Evacuate(fallback, replyTo),
                                                askTimeout.multipliedBy(3)))
                        .thenApply(StatusReply::success);
            });
        });
    }

    /** Every cell's status, for an open region (empty for an unknown or closed one). */
    public CompletionStage<Optional<List<RegionCell.CellStatus>>> status(String region) {
        return openDefinition(region)
                .thenCompose(definition -> definition.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : askEveryCell(definition.get(), id -> cell(id).ask(RegionCell.GetStatus::new, askTimeout))
                                .thenApply(Optional::of));
    }

    /** Where the avatar is in {@code region}: the answer of the cell that owns it, if any does. */
    public CompletionStage<Optional<RegionCell.Location>> locate(String avatarId, String region) {
        return openDefinition(region)
                .thenCompose(definition -> definition.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : askEveryCell(
                                        definition.get(),
                                        id -> cell(id).<RegionCell.Location>ask(
                                                        replyTo -> new RegionCell.Locate(avatarId, replyTo),
                                                        askTimeout))
                                .thenApply(answers -> answers.stream()
                                        .filter(RegionCell.Location::present)
                                        .findFirst()));
    }

    /** Asks every cell of {@code region} at once; completes with the answers in the layout's cell order. */
    private static <T> CompletionStage<List<T>> askEveryCell(
            RegionDefinition region, Function<CellId, CompletionStage<T>> ask) {
        List<CompletableFuture<T>> asks = new CellLayout(region)
                .allCells().stream()
                        .map(id -> ask.apply(id).toCompletableFuture())
                        .toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
    }

    /** The open region's definition: from the catalog, read again from the registry only when not there. */
    public CompletionStage<Optional<RegionDefinition>> openDefinition(String region) {
        Optional<RegionDefinition> cached = catalog.open(region);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached);
        }
        return catalog.refresh().thenApply(all -> catalog.open(region));
    }

    private static String notOpen(String region) {
        return "region-not-found: no open region named " + region;
    }
}

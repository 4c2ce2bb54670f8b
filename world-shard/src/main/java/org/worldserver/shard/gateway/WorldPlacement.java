package org.worldserver.shard.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.avatar.Avatar;
import org.worldserver.avatar.AvatarRejection;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellLayout;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDefinition;
import org.worldserver.shard.region.RegionDirectory;
import org.worldserver.shard.region.WorldRegions;

/**
 * The gateway's {@link GatewayAgent.World} on a node: places a connecting avatar where it left the world (or at
 * its home region's spawn point, or the fallback region's, when that region is closed), logs it in and out, and
 * sends its inputs and teleports to the cell that owns it. Never blocks (everything is asynchronous). {@link #input}
 * and {@link #flushInputs} run on the gateway's thread only (the batches are not thread-safe); the rest is
 * thread-safe.
 *
 * <p>Inputs go to the cell that last ticked the avatar for its session ({@link SessionStream#cell()}), or the cell
 * it joined before its first frame; a cell forwards inputs for an avatar that just left it for {@code
 * world.cells.forward-for}. An input for a cell on this node goes through the shard region at once; one for a cell
 * on another node is batched for that node's {@link SessionRelay} ({@link InputBatches}, sent by {@link
 * #flushInputs}).
 */
public final class WorldPlacement implements GatewayAgent.World {

    private static final Duration ASK = Duration.ofSeconds(5);

    private final ActorSystem<?> system;
    private final WorldRegions regions;
    private final SessionStreams streams;
    private final Map<String, Placement> placed = new ConcurrentHashMap<>();
    private final SessionAssets assets;
    private final InputBatches batches;

    private record Placement(String region, CellId cell) {}

    /**
     * Where an avatar enters the world: a region and a point in it (metres, relative to the region's origin).
     *
     * @param atSpawn true when it is in the cell of the region's spawn point: the avatar enters at the spawn point
     *     (it has no place of its own to return to), or returns to a place in that cell, where every new player enters
     */
    public record Entry(String region, float x, float y, float z, boolean atSpawn) {}

    public WorldPlacement(ActorSystem<?> system, SessionStreams streams, InputBatches batches) {
        this.system = system;
        this.streams = streams;
        this.batches = batches;
        this.regions = WorldRegions.get(system);
        this.assets = new SessionAssets(system, regions, avatarId -> {
            CellId cell = cellOf(avatarId);
            return cell == null ? null : cell.region();
        });
    }

    private EntityRef<Avatar.Command> avatar(String avatarId) {
        return ClusterSharding.get(system).entityRefFor(Avatar.ENTITY_KEY, avatarId);
    }

    @Override
    public CompletionStage<Integer> place(String avatarId) {
        return avatar(avatarId)
                .<Avatar.Summary>askWithStatus(Avatar.Get::new, ASK)
                .thenCompose(summary -> entryOf(regions, summary))
                .thenCompose(entry -> enter(avatarId, entry.region(), entry.x(), entry.y(), entry.z()));
    }

    /**
     * Where {@code avatar} enters the world when it logs in: where it left, if that region is open; else its home
     * region's spawn point, if that is open; else the fallback region's spawn point (the join then fails with a
     * clear error if that is not open either).
     */
    public static CompletionStage<Entry> entryOf(WorldRegions regions, Avatar.Summary avatar) {
        Avatar.Position last = avatar.lastPosition();
        CompletionStage<Optional<RegionDefinition>> lastRegion = last == null
                ? CompletableFuture.completedFuture(Optional.empty())
                : regions.openDefinition(last.region());
        return lastRegion.thenCompose(open -> open.isPresent()
                ? CompletableFuture.completedFuture(returningTo(open.get(), last))
                : regions.openDefinition(avatar.homeRegion())
                        .thenCompose(home -> spawnPointOf(
                                regions, home.isPresent() ? avatar.homeRegion() : regions.fallbackRegion())));
    }

    private static Entry returningTo(RegionDefinition region, Avatar.Position last) {
        CellLayout layout = new CellLayout(region);
        float[] spawn = region.spawnPoint();
        float x = (float) last.x();
        float z = (float) last.z();
        boolean atSpawn = layout.cellAt(x, z).equals(layout.cellAt(spawn[0], spawn[2]));
        return new Entry(last.region(), x, (float) last.y(), z, atSpawn);
    }

    private static CompletionStage<Entry> spawnPointOf(WorldRegions regions, String region) {
        return regions.openDefinition(region).thenApply(definition -> {
            float[] at = definition.map(RegionDefinition::spawnPoint).orElse(new float[3]);
            return new Entry(region, at[0], at[1], at[2], true);
        });
    }

    private CompletionStage<Integer> enter(String avatarId, String region, float x, float y, float z) {
        return avatar(avatarId)
                .<Avatar.Summary>askWithStatus(replyTo -> new Avatar.Login(region, replyTo), ASK)
                .<Object>thenApply(loggedIn -> loggedIn)
                .exceptionally(failure -> {
                    // Still marked online after a crash (no logout was stored): the join below decides.
                    if (String.valueOf(failure.getMessage()).contains(AvatarRejection.ALREADY_ONLINE.code())) {
                        return region;
                    }
                    throw new IllegalStateException(failure);
                })
                .thenCompose(loggedIn -> regions.join(avatarId, region, x, y, z))
                .thenCompose(reply -> {
                    if (reply.isError()) {
                        return CompletableFuture.failedFuture(new IllegalStateException(reply.getError()));
                    }
                    placed.put(
                            avatarId,
                            new Placement(region, CellId.parse(reply.getValue().cell())));
                    return CompletableFuture.completedFuture(reply.getValue().entityId());
                });
    }

    /**
     * Finds the avatar where it is: in a cell of this node (a handoff comes to the node running the avatar's cell,
     * so this is a local ask of each cell here, without sharding's routing), else in a cell of the region its entity
     * says it is online in.
     */
    @Override
    public CompletionStage<Integer> attach(String avatarId) {
        return locateHere(avatarId)
                .thenCompose(here -> here.isPresent() ? CompletableFuture.completedFuture(here) : locate(avatarId))
                .thenCompose(location -> {
                    if (location.isEmpty()) {
                        return CompletableFuture.failedFuture(
                                new IllegalStateException(avatarId + " is not in the world: nothing to hand off"));
                    }
                    RegionCell.Location l = location.get();
                    placed.put(avatarId, new Placement(l.region(), CellId.parse(l.cell())));
                    return CompletableFuture.completedFuture(l.entityId());
                });
    }

    /** Asks every cell running on this node where the avatar is; empty if none has it (or none answers). */
    private CompletionStage<Optional<RegionCell.Location>> locateHere(String avatarId) {
        List<CompletableFuture<Optional<RegionCell.Location>>> asks =
                RegionDirectory.get(system).cells().values().stream()
                        .map(cell -> AskPattern.<RegionCell.Command, RegionCell.Location>ask(
                                        cell,
                                        replyTo -> new RegionCell.Locate(avatarId, replyTo),
                                        ASK,
                                        system.scheduler())
                                .handle((location, failure) ->
                                        Optional.ofNullable(location).filter(RegionCell.Location::present))
                                .toCompletableFuture())
                        .toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                .thenApply(done -> asks.stream()
                        .map(CompletableFuture::join)
                        .flatMap(Optional::stream)
                        .findFirst());
    }

    /** Where the avatar is in the region its entity says it is online in, asking that region's every cell. */
    private CompletionStage<Optional<RegionCell.Location>> locate(String avatarId) {
        return avatar(avatarId)
                .<Avatar.Summary>askWithStatus(Avatar.Get::new, ASK)
                .thenCompose(summary -> summary.online() && summary.onlineRegion() != null
                        ? regions.locate(avatarId, summary.onlineRegion())
                        : CompletableFuture.completedFuture(Optional.empty()));
    }

    @Override
    public void handedOff(String avatarId) {
        placed.remove(avatarId);
    }

    @Override
    public void input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {
        SessionStream stream = streams.of(avatarId);
        CellId cell = cellOf(avatarId, stream);
        if (cell == null) {
            return;
        }
        RegionCell.Input input = new RegionCell.Input(avatarId, sequence, intentX, intentZ, focusX, focusZ);
        ActorRef<SessionRelay.Command> remote = stream == null ? null : stream.cellRelay();
        if (remote == null) {
            regions.cell(cell).tell(input);
        } else {
            batches.add(remote, cell.entityId(), input, System.nanoTime());
        }
    }

    @Override
    public void flushInputs(long nowNanos) {
        batches.flushDue(nowNanos);
    }

    @Override
    public CompletionStage<Optional<String>> teleport(String avatarId, float x, float y, float z) {
        CellId cell = cellOf(avatarId);
        if (cell == null) {
            return CompletableFuture.completedFuture(
                    Optional.of("region-unknown-avatar: " + avatarId + " is not placed in the world"));
        }
        return regions.cell(cell)
                .<Done>askWithStatus(replyTo -> new RegionCell.Teleport(avatarId, x, y, z, replyTo), ASK)
                .handle((done, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    if (cause == null) {
                        return Optional.empty();
                    }
                    if (cause instanceof StatusReply.ErrorMessage refused) {
                        return Optional.of(refused.getMessage());
                    }
                    throw new CompletionException(cause); // no answer: the gateway reports the world unavailable
                });
    }

    /** Answered within {@link #ASK}, or failed (the gateway answers UNAVAILABLE: it may or may not have been done). */
    @Override
    public CompletionStage<GatewayAgent.Reply> asset(
            String avatarId, String useId, AssetRequests.AssetRequest request) {
        return assets.execute(avatarId, useId, request)
                .toCompletableFuture()
                .orTimeout(ASK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The cell that owns the avatar now: the one that last ticked it for its session, or the one it joined. */
    private CellId cellOf(String avatarId) {
        return cellOf(avatarId, streams.of(avatarId));
    }

    private CellId cellOf(String avatarId, SessionStream stream) {
        CellId now = stream == null ? null : stream.cell();
        if (now != null) {
            return now;
        }
        Placement p = placed.get(avatarId);
        return p == null ? null : p.cell();
    }

    @Override
    public void left(String avatarId) {
        Placement p = placed.remove(avatarId);
        if (p == null) {
            return;
        }
        // Where it is now (it may have walked on): out of that cell, logged out there; if no cell has it any more
        // (its region closed meanwhile), logged out at its last stored position.
        regions.locate(avatarId, p.region()).thenAccept(location -> {
            if (location.isPresent()) {
                RegionCell.Location l = location.get();
                regions.cell(CellId.parse(l.cell())).tell(new RegionCell.Leave(avatarId, system.ignoreRef()));
                avatar(avatarId)
                        .tell(new Avatar.Logout(
                                new Avatar.Position(l.region(), l.x(), l.y(), l.z()), system.ignoreRef()));
            } else {
                avatar(avatarId)
                        .<Avatar.Summary>askWithStatus(Avatar.Get::new, ASK)
                        .thenAccept(summary -> {
                            if (summary.lastPosition() != null) {
                                avatar(avatarId).tell(new Avatar.Logout(summary.lastPosition(), system.ignoreRef()));
                            }
                        });
            }
        });
    }
}

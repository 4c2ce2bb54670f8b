package org.worldserver.shard.region;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.ObserverSink;

/**
 * Cells of fixed regions on one ActorSystem without sharding: each cell actor is spawned the first time it is
 * addressed, as sharding would. Positions reported by the cells are recorded.
 */
final class LocalCells implements RegionCell.CellPeers {

    static final InterestSettings INTEREST = new InterestSettings(30f, 5f, 2f, 1f, 1f, 3f, 4800, 20, 1f);
    private static final AtomicInteger HARNESSES = new AtomicInteger();

    /** (avatar, region) pairs of every regionChanged report. */
    final List<String> regionChanges = new CopyOnWriteArrayList<>();

    final Map<CellId, ActorRef<RegionCell.Command>> cells = new ConcurrentHashMap<>();
    private final ActorSystem<?> system;
    private final Map<String, RegionRegistry.RegionRecord> regions = new ConcurrentHashMap<>();
    private final CellEnvironment env;
    private final String prefix = "h" + HARNESSES.incrementAndGet() + "-";

    LocalCells(
            ActorSystem<?> system,
            ObserverSink sink,
            Duration settlementPeriod,
            RegionCell.AttentionSettlement settlement,
            RegionDefinition... definitions) {
        this.system = system;
        for (RegionDefinition d : definitions) {
            regions.put(d.name(), new RegionRegistry.RegionRecord(d, true, null, Instant.now()));
        }
        this.env = new CellEnvironment(
                INTEREST,
                id -> sink,
                RegionDirectory.get(system),
                settlement,
                this,
                new RegionCell.PositionRecorder() {
                    @Override
                    public void checkpoint(String avatarId, String region, float x, float y, float z) {}

                    @Override
                    public void regionChanged(String avatarId, String region, float x, float y, float z) {
                        regionChanges.add(avatarId + "@" + region);
                    }
                },
                settlementPeriod,
                Duration.ofSeconds(30),
                Duration.ofMillis(100),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30),
                Duration.ofSeconds(2));
    }

    ActorRef<RegionCell.Command> cell(CellId id) {
        return cells.computeIfAbsent(
                id,
                any -> system.systemActorOf(
                        RegionCell.create(
                                id,
                                region -> CompletableFuture.completedFuture(Optional.ofNullable(regions.get(region))),
                                env),
                        prefix + id.entityId().replace(':', '_'),
                        Props.empty()));
    }

    /** The cell that owns (x, z) of {@code region}. */
    ActorRef<RegionCell.Command> cellAt(RegionDefinition region, float x, float z) {
        return cell(new CellLayout(region).cellAt(x, z));
    }

    /**
     * When set, every handover offer is delivered a second time 0-400 ms later, as a retry of a slow link would
     * be: by then the avatar may have moved on.
     */
    volatile boolean duplicateOffers;

    /** Duplicates scheduled and not yet delivered. */
    final AtomicInteger duplicatesPending = new AtomicInteger();

    @Override
    public void tell(CellId id, RegionCell.Command message) {
        cell(id).tell(message);
        if (duplicateOffers && message instanceof RegionCell.HandoverOffer) {
            duplicatesPending.incrementAndGet();
            system.scheduler()
                    .scheduleOnce(
                            Duration.ofMillis(ThreadLocalRandom.current().nextInt(400)),
                            () -> {
                                cell(id).tell(message);
                                duplicatesPending.decrementAndGet();
                            },
                            system.executionContext());
        }
    }

    void stopAll() {
        cells.values()
                .forEach(ref -> Adapter.toClassic(ref).tell(org.apache.pekko.actor.PoisonPill.getInstance(), null));
    }
}

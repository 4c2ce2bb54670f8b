package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.attention.AttentionBatch;
import org.worldserver.shard.world.LiveAvatar;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/** Cell actors ticking on their own timers, observed through an in-process sink (as the gateway will). */
class RegionCellTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "cell-test",
            ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                    .withFallback(ConfigFactory.load()));

    private static final RegionCell.AttentionSettlement NEVER_SETTLES =
            batch -> new CompletableFuture<Done>(); // the tests that use it do not reach a period's end

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** A 200 m × 200 m region cut into four 100 m cells. */
    static RegionDefinition region(String name, int capacity, boolean teleport) {
        return new RegionDefinition(
                name, new RegionBounds(0, 0, 0, 200, 50, 200), 100f, 20f, capacity, 5f, teleport, 32);
    }

    /** Last position of each entity as seen by each observer; written on the cells' threads. */
    private static final class Sightings implements ObserverSink {
        final Map<String, Map<Integer, Float>> xSeenBy = new ConcurrentHashMap<>();

        @Override
        public void onFrame(ObserverFrame f) {
            Map<Integer, Float> seen = xSeenBy.computeIfAbsent(f.observerAvatarId(), k -> new ConcurrentHashMap<>());
            for (int i = 0; i < f.updateCount(); i++) {
                seen.put(f.updateEntity(i), f.updateX(i));
            }
        }
    }

    private static <T> T ok(TestProbe<StatusReply<T>> probe) {
        StatusReply<T> reply = probe.receiveMessage(Duration.ofSeconds(5));
        assertTrue(reply.isSuccess(), () -> "expected success, got " + reply);
        return reply.getValue();
    }

    private static String error(TestProbe<? extends StatusReply<?>> probe) {
        StatusReply<?> reply = probe.receiveMessage(Duration.ofSeconds(5));
        assertTrue(reply.isError(), () -> "expected an error, got " + reply);
        return reply.getError().getMessage();
    }

    static RegionCell.Location locate(ActorRef<RegionCell.Command> cell, String avatar) {
        TestProbe<RegionCell.Location> probe = KIT.createTestProbe();
        cell.tell(new RegionCell.Locate(avatar, probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(5));
    }

    static RegionCell.CellStatus status(ActorRef<RegionCell.Command> cell) {
        TestProbe<RegionCell.CellStatus> probe = KIT.createTestProbe();
        cell.tell(new RegionCell.GetStatus(probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(5));
    }

    @Test
    void shouldTickByItselfAndShowEachObserverTheOthersMoving() {
        Sightings sightings = new Sightings();
        RegionDefinition harbour = region("harbour", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), sightings, Duration.ofMinutes(1), NEVER_SETTLES, harbour);
        ActorRef<RegionCell.Command> cell = cells.cellAt(harbour, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();

        cell.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        int ada = ok(joined).entityId();
        cell.tell(new RegionCell.Join("bob", 20, 0, 10, joined.ref()));
        int bob = ok(joined).entityId();
        cell.tell(new RegionCell.Input("bob", 1, 1, 0, 1, 0)); // east at 5 m/s

        TestProbe<Void> watcher = KIT.createTestProbe();
        watcher.awaitAssert(Duration.ofSeconds(10), () -> {
            Float bobAsSeenByAda =
                    sightings.xSeenBy.getOrDefault("ada", Map.of()).get(bob);
            assertTrue(bobAsSeenByAda != null && bobAsSeenByAda > 22f, "ada saw bob at x = " + bobAsSeenByAda);
            assertTrue(sightings.xSeenBy.getOrDefault("bob", Map.of()).containsKey(ada));
            return null;
        });

        RegionCell.CellStatus s = status(cell);
        assertEquals("harbour:0:0", s.cell());
        assertEquals(2, s.telemetry().avatars());
        assertTrue(s.telemetry().ticks() > 0);
        assertEquals(1, s.telemetry().inputsAccepted());
        RegionDirectory directory = RegionDirectory.get(KIT.system());
        watcher.awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(
                    directory.telemetry().containsKey(new CellId("harbour", 0, 0)), "telemetry published for /metrics");
            return null;
        });
        cells.stopAll();
    }

    @Test
    void shouldRefuseBadJoinsLeavesAndTeleportsWithStableCodes() {
        RegionDefinition quay = region("quay", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, quay);
        ActorRef<RegionCell.Command> cell = cells.cellAt(quay, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        TestProbe<StatusReply<Done>> done = KIT.createTestProbe();

        cell.tell(new RegionCell.Join("ada", 500, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-out-of-bounds"));
        cell.tell(new RegionCell.Join("ada", 150, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-wrong-cell"), "(150, 10) belongs to quay:1:0");
        cell.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        cell.tell(new RegionCell.Join("ada", 11, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-already-here"));
        cell.tell(new RegionCell.Teleport("ada", 50, 0, 50, done.ref()));
        assertTrue(error(done).startsWith("region-teleport-refused"));
        cell.tell(new RegionCell.Leave("nobody", done.ref()));
        assertTrue(error(done).startsWith("region-unknown-avatar"));
        cell.tell(new RegionCell.Leave("ada", done.ref()));
        ok(done);

        ActorRef<RegionCell.Command> outside = cells.cell(new CellId("quay", 7, 7));
        outside.tell(new RegionCell.Join("bob", 10, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-closed"), "a cell outside the region's grid refuses");
        cells.stopAll();
    }

    @Test
    void shouldHandAnAvatarWalkingAcrossABorderToTheNextCellAndShowItToObserversOnBothSides() {
        Sightings sightings = new Sightings();
        RegionDefinition pier = region("pier", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), sightings, Duration.ofMinutes(1), NEVER_SETTLES, pier);
        ActorRef<RegionCell.Command> west = cells.cellAt(pier, 90, 50);
        ActorRef<RegionCell.Command> east = cells.cellAt(pier, 110, 50);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        west.tell(new RegionCell.Join("walker", 95, 0, 50, joined.ref()));
        int walker = ok(joined).entityId();
        east.tell(new RegionCell.Join("watcher", 115, 0, 50, joined.ref()));
        ok(joined);

        TestProbe<Void> probe = KIT.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(
                    sightings.xSeenBy.getOrDefault("watcher", Map.of()).containsKey(walker),
                    "the watcher sees the walker across the border (a ghost) before it crosses");
            return null;
        });

        west.tell(new RegionCell.Input("walker", 1, 1, 0, 1, 0)); // east at 5 m/s: crosses x = 100 in ~1 s
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            RegionCell.Location there = locate(east, "walker");
            assertTrue(there.present() && there.x() > 100, "owned by the east cell: " + there);
            return null;
        });
        RegionCell.Location there = locate(east, "walker");
        assertEquals(walker, there.entityId(), "the entity id does not change within a region");
        assertFalse(locate(west, "walker").present(), "and no longer by the west cell");
        assertTrue(there.vx() > 0, "it keeps walking: its intent moved with it");

        // Inputs still sent to the old cell are forwarded: the walker turns back west.
        west.tell(new RegionCell.Input("walker", 2, -1, 0, -1, 0));
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertTrue(locate(west, "walker").present(), "walked back into the west cell");
            return null;
        });
        assertEquals(0, status(west).inFlight() + status(east).inFlight());
        cells.stopAll();
    }

    @Test
    void shouldKeepAnAvatarAtTheBorderWhenTheNextCellIsFull() {
        RegionDefinition dock = region("dock", 1, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, dock);
        ActorRef<RegionCell.Command> west = cells.cellAt(dock, 90, 50);
        ActorRef<RegionCell.Command> east = cells.cellAt(dock, 150, 50);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        west.tell(new RegionCell.Join("walker", 98, 0, 50, joined.ref()));
        ok(joined);
        east.tell(new RegionCell.Join("sitter", 150, 0, 50, joined.ref()));
        ok(joined);

        west.tell(new RegionCell.Input("walker", 1, 1, 0, 1, 0));
        TestProbe<Void> probe = KIT.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(status(west).telemetry().ticks() > 40, "ran long enough to have tried to cross");
            return null;
        });
        RegionCell.Location walker = locate(west, "walker");
        assertTrue(walker.present() && walker.x() < 100 && walker.x() > 99.9f, "held at the border: " + walker);
        assertFalse(locate(east, "walker").present());
        assertEquals(1, status(east).telemetry().avatars());

        // An input that reaches the cell that refused the walker (as one forwarded while it was in flight would)
        // is forwarded back to where it stayed.
        east.tell(new RegionCell.Input("walker", 2, 0, 0, 1, 0));
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertEquals(2, locate(west, "walker").lastInput());
            return null;
        });
        cells.stopAll();
    }

    @Test
    void shouldAcknowledgeARepeatedOfferWithoutAdmittingTheAvatarTwice() {
        RegionDefinition mole = region("mole", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, mole);
        ActorRef<RegionCell.Command> cell = cells.cellAt(mole, 10, 10);
        TestProbe<RegionCell.Command> source = KIT.createTestProbe();
        LiveAvatar ada = new LiveAvatar("ada", 7, 10, 0, 10, 0, 0, 0, 1, 0, 0, 3);

        cell.tell(new RegionCell.HandoverOffer("t-1", ada, new CellId("mole", 1, 1), source.ref()));
        cell.tell(new RegionCell.HandoverOffer("t-1", ada, new CellId("mole", 1, 1), source.ref()));
        RegionCell.Command first = source.receiveMessage();
        RegionCell.Command second = source.receiveMessage();
        assertEquals(new RegionCell.HandoverAccepted("t-1", "ada", "mole:0:0", 7), first);
        assertEquals(first, second);
        assertEquals(1, status(cell).telemetry().avatars());

        cell.tell(new RegionCell.HandoverOffer(
                "t-2",
                new LiveAvatar("bob", 8, 150, 0, 10, 0, 0, 0, 1, 0, 0, -1),
                new CellId("mole", 1, 1),
                source.ref()));
        RegionCell.HandoverRefused refused = (RegionCell.HandoverRefused) source.receiveMessage();
        assertTrue(refused.reason().startsWith("region-wrong-cell"), refused.reason());
        cells.stopAll();
    }

    /** The source took the avatar back after the refusal: a late copy of the offer must not admit it too. */
    @Test
    void shouldRefuseARepeatedOfferItRefusedBeforeEvenWhenThereIsRoomNow() {
        RegionDefinition quay = region("pier", 1, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, quay);
        ActorRef<RegionCell.Command> cell = cells.cellAt(quay, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        cell.tell(new RegionCell.Join("sitter", 10, 0, 10, joined.ref()));
        ok(joined);
        TestProbe<RegionCell.Command> source = KIT.createTestProbe();
        LiveAvatar ada = new LiveAvatar("ada", 7, 12, 0, 10, 0, 0, 0, 1, 0, 0, 3);

        cell.tell(new RegionCell.HandoverOffer("t-1", ada, new CellId("pier", 1, 0), source.ref()));
        RegionCell.HandoverRefused refused = (RegionCell.HandoverRefused) source.receiveMessage();
        assertTrue(refused.reason().startsWith("region-full"), refused.reason());
        TestProbe<StatusReply<Done>> left = KIT.createTestProbe();
        cell.tell(new RegionCell.Leave("sitter", left.ref()));
        ok(left);

        cell.tell(new RegionCell.HandoverOffer("t-1", ada, new CellId("pier", 1, 0), source.ref()));
        assertEquals(refused, source.receiveMessage());
        assertFalse(locate(cell, "ada").present());
        assertEquals(0, status(cell).telemetry().avatars());
        cells.stopAll();
    }

    @Test
    void shouldMoveAnAvatarToAnotherRegionWithANewEntityIdAndReportTheChange() {
        RegionDefinition bay = region("bay", 16, false);
        RegionDefinition cove = region("cove", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, bay, cove);
        ActorRef<RegionCell.Command> from = cells.cellAt(bay, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        from.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        TestProbe<StatusReply<Done>> done = KIT.createTestProbe();

        from.tell(new RegionCell.Travel("ada", cove, 999, 0, 0, done.ref()));
        assertTrue(error(done).startsWith("region-out-of-bounds"));
        from.tell(new RegionCell.Travel("ada", bay, 20, 0, 20, done.ref()));
        assertTrue(error(done).startsWith("region-travel-refused"));

        from.tell(new RegionCell.Travel("ada", cove, 150, 0, 150, done.ref()));
        ok(done);
        RegionCell.Location there = locate(cells.cellAt(cove, 150, 150), "ada");
        assertTrue(there.present(), "in cove:1:1");
        assertEquals(150f, there.x());
        assertEquals(new CellLayout(cove).index(new CellId("cove", 1, 1)), there.entityId() >>> 20, "new id there");
        assertFalse(locate(from, "ada").present());
        assertEquals(List.of("ada@cove"), cells.regionChanges);
        cells.stopAll();
    }

    @Test
    void shouldMoveEveryAvatarOfAClosedRegionToTheFallbackAndThenRefuseJoins() {
        RegionDefinition strait = region("strait", 16, false);
        RegionDefinition haven = region("haven", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMinutes(1), NEVER_SETTLES, strait, haven);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        float[][] spots = {{10, 10}, {150, 10}, {150, 150}, {160, 160}, {99, 99}};
        for (int i = 0; i < spots.length; i++) {
            cells.cellAt(strait, spots[i][0], spots[i][1])
                    .tell(new RegionCell.Join("a" + i, spots[i][0], 0, spots[i][1], joined.ref()));
            ok(joined);
        }
        // Keep them walking, so some are crossing borders while the region closes.
        for (int i = 0; i < spots.length; i++) {
            cells.cellAt(strait, spots[i][0], spots[i][1]).tell(new RegionCell.Input("a" + i, 1, 1, 1, 1, 0));
        }

        TestProbe<RegionCell.Evacuated> evacuated = KIT.createTestProbe();
        List<CellId> all = new CellLayout(strait).allCells();
        all.forEach(id -> cells.cell(id).tell(new RegionCell.Evacuate(haven, evacuated.ref())));
        int moved = 0;
        int remaining = 0;
        for (int i = 0; i < all.size(); i++) {
            RegionCell.Evacuated e = evacuated.receiveMessage(Duration.ofSeconds(5));
            moved += e.moved();
            remaining += e.remaining();
        }
        assertEquals(spots.length, moved);
        assertEquals(0, remaining);
        for (int i = 0; i < spots.length; i++) {
            int seen = 0;
            for (CellId id : new CellLayout(haven).allCells()) {
                seen += locate(cells.cell(id), "a" + i).present() ? 1 : 0;
            }
            for (CellId id : all) {
                assertFalse(locate(cells.cell(id), "a" + i).present(), "gone from the closed region");
            }
            assertEquals(1, seen, "a" + i + " is in exactly one cell of the fallback");
        }
        cells.cellAt(strait, 10, 10).tell(new RegionCell.Join("late", 10, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-closed"));
        cells.stopAll();
    }

    @Test
    void shouldSettleAttentionIntoBatchesAndRetryAFailedStoreWithTheSameBatch() {
        List<AttentionBatch> stored = new CopyOnWriteArrayList<>();
        List<String> attempts = new CopyOnWriteArrayList<>();
        AtomicBoolean failNext = new AtomicBoolean(true);
        RegionCell.AttentionSettlement flakyJournal = batch -> {
            attempts.add(batch.batchId());
            if (failNext.getAndSet(false)) {
                return CompletableFuture.failedFuture(new IllegalStateException("journal unavailable"));
            }
            stored.add(batch);
            return CompletableFuture.completedFuture(Done.getInstance());
        };
        RegionDefinition reef = region("reef", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofMillis(300), flakyJournal, reef);
        ActorRef<RegionCell.Command> cell = cells.cellAt(reef, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        cell.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        cell.tell(new RegionCell.Join("bob", 12, 0, 10, joined.ref()));
        ok(joined);

        TestProbe<Void> watcher = KIT.createTestProbe();
        watcher.awaitAssert(Duration.ofSeconds(10), () -> {
            assertTrue(stored.size() >= 2, "stored " + stored);
            return null;
        });
        assertEquals(attempts.get(0), stored.get(0).batchId(), "the failed batch is retried first, unchanged");
        assertTrue(stored.get(0).periodEnd().compareTo(stored.get(1).periodStart()) <= 0, "periods do not overlap");
        for (AttentionBatch batch : stored) {
            assertEquals("reef", batch.region());
            assertEquals("reef:0:0", batch.cell());
            assertEquals(Set.of("ada", "bob"), batch.attentionMicros().keySet(), "each watched the other");
        }
        assertEquals(
                stored.size(),
                Set.copyOf(stored.stream().map(AttentionBatch::batchId).toList())
                        .size());
        cells.stopAll();
    }

    @Test
    void shouldStoreTheAttentionOfTheCurrentPeriodWhenFlushedOnTheWayDown() {
        List<AttentionBatch> stored = new CopyOnWriteArrayList<>();
        RegionCell.AttentionSettlement journal = batch -> {
            stored.add(batch);
            return CompletableFuture.completedFuture(Done.getInstance());
        };
        RegionDefinition lagoon = region("lagoon", 16, false);
        LocalCells cells = new LocalCells(KIT.system(), f -> {}, Duration.ofHours(1), journal, lagoon);
        ActorRef<RegionCell.Command> cell = cells.cellAt(lagoon, 10, 10);
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        cell.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        cell.tell(new RegionCell.Join("bob", 12, 0, 10, joined.ref()));
        ok(joined);
        TestProbe<Void> probe = KIT.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(status(cell).telemetry().attentionMass() > 0);
            return null;
        });

        TestProbe<Done> flushed = KIT.createTestProbe();
        cell.tell(new RegionCell.Flush(flushed.ref()));
        flushed.receiveMessage(Duration.ofSeconds(5));

        assertEquals(1, stored.size(), "the open period was settled at once, an hour early");
        assertEquals(Set.of("ada", "bob"), stored.get(0).attentionMicros().keySet());
        cells.stopAll();
    }
}

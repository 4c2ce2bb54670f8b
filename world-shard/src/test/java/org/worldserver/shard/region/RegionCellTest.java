package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/** A region actor ticking on its own timer, observed through an in-process sink (as the gateway will). */
class RegionCellTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "region-test",
            ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                    .withFallback(ConfigFactory.load()));
    private static final InterestSettings INTEREST = new InterestSettings(30f, 5f, 2f, 1f, 1f, 3f, 4800, 20, 1f);
    private static final RegionDefinition HARBOUR =
            new RegionDefinition("harbour", new RegionBounds(0, 0, 0, 200, 50, 200), 20f, 16, 5f, false, 32);

    private static final RegionCell.AttentionSettlement NEVER_SETTLES =
            batch -> new CompletableFuture<Done>(); // the tests below that use it do not reach a period's end

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** Last position of each entity as seen by each observer; written on the region's thread. */
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

    @Test
    void shouldTickByItselfAndShowEachObserverTheOthersMoving() {
        Sightings sightings = new Sightings();
        RegionDirectory directory = RegionDirectory.get(KIT.system());
        ActorRef<RegionCell.Command> region = KIT.spawn(
                RegionCell.create(HARBOUR, INTEREST, sightings, directory, Duration.ofMinutes(1), NEVER_SETTLES));
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();

        region.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        int ada = ok(joined).entityId();
        region.tell(new RegionCell.Join("bob", 20, 0, 10, joined.ref()));
        int bob = ok(joined).entityId();
        region.tell(new RegionCell.Input("bob", 1, 1, 0, 1, 0)); // east at 5 m/s

        TestProbe<Void> watcher = KIT.createTestProbe();
        watcher.awaitAssert(Duration.ofSeconds(10), () -> {
            Float bobAsSeenByAda =
                    sightings.xSeenBy.getOrDefault("ada", Map.of()).get(bob);
            assertTrue(bobAsSeenByAda != null && bobAsSeenByAda > 22f, "ada saw bob at x = " + bobAsSeenByAda);
            assertTrue(sightings.xSeenBy.getOrDefault("bob", Map.of()).containsKey(ada));
            return null;
        });

        TestProbe<RegionCell.RegionStatus> status = KIT.createTestProbe();
        region.tell(new RegionCell.GetStatus(status.ref()));
        RegionCell.RegionStatus s = status.receiveMessage();
        assertEquals(HARBOUR, s.definition());
        assertEquals(2, s.telemetry().avatars());
        assertTrue(s.telemetry().ticks() > 0);
        assertEquals(1, s.telemetry().inputsAccepted());
        watcher.awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(directory.telemetry().containsKey("harbour"), "telemetry published for /metrics");
            return null;
        });
    }

    @Test
    void shouldRefuseBadJoinsLeavesAndTeleportsWithStableCodes() {
        ActorRef<RegionCell.Command> region = KIT.spawn(RegionCell.create(
                HARBOUR,
                INTEREST,
                frame -> {},
                RegionDirectory.get(KIT.system()),
                Duration.ofMinutes(1),
                NEVER_SETTLES));
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        TestProbe<StatusReply<Done>> done = KIT.createTestProbe();

        region.tell(new RegionCell.Join("ada", 500, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-out-of-bounds"));
        region.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        region.tell(new RegionCell.Join("ada", 11, 0, 10, joined.ref()));
        assertTrue(error(joined).startsWith("region-already-here"));
        region.tell(new RegionCell.Teleport("ada", 50, 0, 50, done.ref()));
        assertTrue(error(done).startsWith("region-teleport-refused"));
        region.tell(new RegionCell.Leave("nobody", done.ref()));
        assertTrue(error(done).startsWith("region-unknown-avatar"));
        region.tell(new RegionCell.Leave("ada", done.ref()));
        ok(done);
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
        ActorRef<RegionCell.Command> region = KIT.spawn(RegionCell.create(
                HARBOUR,
                INTEREST,
                frame -> {},
                RegionDirectory.get(KIT.system()),
                Duration.ofMillis(300),
                flakyJournal));
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        region.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        region.tell(new RegionCell.Join("bob", 12, 0, 10, joined.ref()));
        ok(joined);

        TestProbe<Void> watcher = KIT.createTestProbe();
        watcher.awaitAssert(Duration.ofSeconds(10), () -> {
            assertTrue(stored.size() >= 2, "stored " + stored);
            return null;
        });
        assertEquals(attempts.get(0), stored.get(0).batchId(), "the failed batch is retried first, unchanged");
        assertTrue(stored.get(0).periodEnd().compareTo(stored.get(1).periodStart()) <= 0, "periods do not overlap");
        for (AttentionBatch batch : stored) {
            assertEquals("harbour", batch.region());
            assertEquals(Set.of("ada", "bob"), batch.attentionMicros().keySet(), "each watched the other");
        }
        assertEquals(
                stored.size(),
                Set.copyOf(stored.stream().map(AttentionBatch::batchId).toList())
                        .size());
    }

    @Test
    void shouldStoreTheAttentionOfTheCurrentPeriodWhenFlushedOnTheWayDown() {
        List<AttentionBatch> stored = new CopyOnWriteArrayList<>();
        RegionCell.AttentionSettlement journal = batch -> {
            stored.add(batch);
            return CompletableFuture.completedFuture(Done.getInstance());
        };
        ActorRef<RegionCell.Command> region = KIT.spawn(RegionCell.create(
                HARBOUR, INTEREST, frame -> {}, RegionDirectory.get(KIT.system()), Duration.ofHours(1), journal));
        TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
        region.tell(new RegionCell.Join("ada", 10, 0, 10, joined.ref()));
        ok(joined);
        region.tell(new RegionCell.Join("bob", 12, 0, 10, joined.ref()));
        ok(joined);
        TestProbe<RegionCell.RegionStatus> status = KIT.createTestProbe();
        status.awaitAssert(Duration.ofSeconds(5), () -> {
            region.tell(new RegionCell.GetStatus(status.ref()));
            assertTrue(status.receiveMessage().telemetry().attentionMass() > 0);
            return null;
        });

        TestProbe<Done> flushed = KIT.createTestProbe();
        region.tell(new RegionCell.Flush(flushed.ref()));
        flushed.receiveMessage(Duration.ofSeconds(5));

        assertEquals(1, stored.size(), "the open period was settled at once, an hour early");
        assertEquals(Set.of("ada", "bob"), stored.get(0).attentionMicros().keySet());
    }
}

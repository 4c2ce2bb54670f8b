package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
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
        ActorRef<RegionCell.Command> region = KIT.spawn(RegionCell.create(HARBOUR, INTEREST, sightings, directory));
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
        ActorRef<RegionCell.Command> region =
                KIT.spawn(RegionCell.create(HARBOUR, INTEREST, frame -> {}, RegionDirectory.get(KIT.system())));
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
}

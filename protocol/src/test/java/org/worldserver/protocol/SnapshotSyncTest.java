package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * State sync under loss: a world of moving entities entering and leaving one observer's view; each tick the
 * server sends a budget's worth of updates against the newest view the client acknowledged; snapshots and
 * acknowledgements are lost at random. Every view the client applies equals, exactly, the view the server
 * recorded for that tick; and once loss stops, the client's view converges to the world.
 */
class SnapshotSyncTest {

    private static final int VIEWS = 8;

    /** One entity's true state, in wire units. */
    private record Truth(int x, int z, int rotation, int vx) {}

    @Property(tries = 200)
    void shouldKeepTheClientsViewExactlyTheServersAndConvergeOnceLossStops(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 30) int lossPercent,
            @ForAll @IntRange(min = 1, max = 40) int budget) {
        Random random = new Random(seed);
        TreeMap<Integer, Truth> world = new TreeMap<>();
        Set<Integer> known = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            world.put(1000 + i * 3, new Truth(random.nextInt(100_000), random.nextInt(100_000), random.nextInt(), 0));
        }
        SnapshotComposer server = new SnapshotComposer(77L, VIEWS);
        SnapshotReader client = new SnapshotReader(VIEWS);
        DatagramCheck check = new DatagramCheck();
        UnsafeBuffer datagram = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        int applied = 0;
        java.util.Map<Integer, String> names = new java.util.HashMap<>();
        for (int tick = 1; tick <= 300; tick++) {
            boolean lossy = tick <= 200;
            // The world moves; entities enter and leave the observer's area of interest.
            for (var e : world.entrySet()) {
                Truth t = e.getValue();
                if (random.nextInt(3) > 0) {
                    e.setValue(new Truth(
                            t.x() + random.nextInt(61) - 30,
                            t.z() + random.nextInt(61) - 30,
                            random.nextInt(4) == 0 ? random.nextInt() : t.rotation(),
                            random.nextInt(5)));
                }
                if (random.nextInt(20) == 0) {
                    if (!known.remove(e.getKey())) {
                        known.add(e.getKey());
                    }
                }
            }
            // The interest manager's choice: a budget's worth of known entities (after loss stops, all of them).
            List<Integer> candidates = new ArrayList<>(known);
            java.util.Collections.shuffle(candidates, random);
            int take = lossy ? Math.min(budget, candidates.size()) : candidates.size();
            EntityStates updates = new EntityStates(8);
            candidates.subList(0, take).stream().sorted().forEach(id -> {
                Truth t = world.get(id);
                updates.add(id, t.x(), 0, t.z(), t.rotation(), t.vx(), 0);
            });
            int length = server.compose(
                    tick, tick * 50_000L, tick, 0L, updates, known::contains, id -> ("e" + id).getBytes(), datagram, 0);
            assertTrue(length <= ProtocolLimits.MAX_DATAGRAM_BYTES);
            if (lossy && random.nextInt(100) < lossPercent) {
                continue; // lost on the way to the client
            }
            assertEquals(DatagramCheck.Result.OK, check.check(datagram, 0, length));
            SnapshotReader.Result result = client.apply(datagram, 0);
            assertEquals(SnapshotReader.Result.APPLIED, result, "tick " + tick);
            applied++;
            assertEquals(server.view(tick), client.view(), "tick " + tick + ": the client's view is the server's");
            for (int i = 0; i < client.enteredCount(); i++) {
                names.put(client.enteredEntity(i), client.enteredName(i));
            }
            for (int i = 0; i < client.view().size(); i++) {
                int id = client.view().entityId(i);
                assertEquals("e" + id, names.get(id), "tick " + tick + ": every entity in view is named");
            }
            if (!(lossy && random.nextInt(100) < lossPercent)) {
                server.acknowledge(tick); // the Ack arrived
            }
        }
        assertTrue(applied > 0);
        // Loss stopped 100 ticks ago and every known entity was sent each tick: the view is the world as seen.
        EntityStates last = client.view();
        assertEquals(known.size(), last.size());
        for (int i = 0; i < last.size(); i++) {
            Truth t = world.get(last.entityId(i));
            assertEquals(t.x(), last.x(i));
            assertEquals(t.z(), last.z(i));
            assertEquals(t.rotation(), last.rotation(i));
        }
    }

    @Test
    void shouldRefuseAStaleSnapshotAndOneWhoseBaselineIsGone() {
        SnapshotComposer server = new SnapshotComposer(1L, 2);
        SnapshotReader client = new SnapshotReader(2);
        UnsafeBuffer first = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        UnsafeBuffer later = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        EntityStates one = new EntityStates(1);
        one.add(5, 1, 2, 3, 4, 5, 6);
        server.compose(1, 0, 0, 0, one, id -> true, id -> null, first, 0);
        assertEquals(SnapshotReader.Result.APPLIED, client.apply(first, 0));
        assertEquals(SnapshotReader.Result.STALE, client.apply(first, 0), "the same snapshot again");
        server.acknowledge(1);
        server.compose(2, 0, 0, 0, one, id -> true, id -> null, later, 0);
        // A client that never had view 1 cannot apply a delta against it.
        SnapshotReader fresh = new SnapshotReader(2);
        assertEquals(SnapshotReader.Result.MISSING_BASELINE, fresh.apply(later, 0));
        assertNotEquals(null, server.view(2));
    }
}

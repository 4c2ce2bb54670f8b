package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.SnapshotReader;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.SnapshotDecoder;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.world.CellArea;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.RegionBounds;

/**
 * A session's stream fed by real cell simulations, read by the client's {@link SnapshotReader} over real Aeron UDP
 * on loopback: the client's view is what the observer's cell sees, with names; after a walk into a neighbouring
 * cell a neighbour still in range stays in view while one the new cell does not see leaves after the grace; in
 * another region the view starts afresh even where entity ids repeat.
 */
class SessionStreamTest {

    private static final RegionBounds BOUNDS = new RegionBounds(-100, 0, -100, 100, 50, 100);
    private static final InterestSettings INTEREST = new InterestSettings(30f, 5f, 2f, 1f, 1f, 3f, 4800, 20, 1f);
    private static final int GRACE = 5;

    private final LoopbackAeron loopback = new LoopbackAeron();
    private final String channel = "aeron:udp?endpoint=127.0.0.1:" + LoopbackAeron.freeUdpPort();
    private final Subscription clientIn = loopback.client.addSubscription(channel, 2);
    private final Publication serverOut = loopback.server.addPublication(channel, 2);
    private final SessionStreams streams = new SessionStreams();
    private final SessionStream stream = streams.open(99L, "ori", serverOut, 8, GRACE);

    private final DatagramCheck check = new DatagramCheck();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SnapshotDecoder snapshot = new SnapshotDecoder();
    private final SnapshotReader reader = new SnapshotReader(8);
    private final Map<Integer, String> names = new HashMap<>();

    @AfterEach
    void stop() {
        loopback.close();
    }

    /** A cell of {@code region} where the observer "ori" (entity 1) stands at the origin with {@code others}. */
    private CellSimulation cell(CellId id, Object... others) {
        CellSimulation cell = new CellSimulation(
                new MovementRules(BOUNDS, 5f, false),
                CellArea.wholeRegion(BOUNDS),
                INTEREST,
                20f,
                16,
                16,
                System::nanoTime,
                frame -> {
                    if (frame.observerAvatarId().equals("ori")) {
                        stream.onFrame(frame, id, null);
                    }
                });
        cell.join("ori", 1, 0, 0, 0);
        for (int i = 0; i < others.length; i += 3) {
            cell.join((String) others[i], (Integer) others[i + 1], (Float) others[i + 2], 0, 0);
        }
        return cell;
    }

    /** Ticks {@code cell} once and reads datagrams until the client has applied the snapshot, then acknowledges it. */
    private void tickAndReceive(CellSimulation cell) {
        int before = reader.tick();
        cell.tick();
        LoopbackAeron.until(
                () -> reader.tick() != before,
                () -> clientIn.poll(
                        (buffer, offset, length, h) -> {
                            assertEquals(DatagramCheck.Result.OK, check.check(buffer, offset, length));
                            snapshot.wrapAndApplyHeader(buffer, offset, header);
                            assertEquals(99L, snapshot.sessionId());
                            assertEquals(SnapshotReader.Result.APPLIED, reader.apply(buffer, offset));
                            for (int i = 0; i < reader.enteredCount(); i++) {
                                names.put(reader.enteredEntity(i), reader.enteredName(i));
                            }
                        },
                        10));
        stream.acknowledge(reader.tick()); // the client's Ack
    }

    /** The client's view: entity id → x in metres. */
    private Map<Integer, Float> view() {
        EntityStates v = reader.view();
        Map<Integer, Float> out = new TreeMap<>();
        for (int i = 0; i < v.size(); i++) {
            out.put(v.entityId(i), Quantization.metres(v.x(i)));
        }
        return out;
    }

    @Test
    void shouldKeepTheViewAcrossCellsAndStartAfreshInAnotherRegion() {
        CellSimulation first = cell(new CellId("plaza", 0, 0), "bob", 2, 5f, "cat", 3, -5f);
        for (int i = 0; i < 4; i++) {
            tickAndReceive(first);
        }
        assertEquals(Map.of(1, 0f, 2, 5f, 3, -5f), view(), "the others, and the observer itself");
        assertEquals(Map.of(1, "ori", 2, "bob", 3, "cat"), names);

        // Walked east into the next cell, which sees bob but not cat (say, beyond its ghost band).
        CellSimulation next = cell(new CellId("plaza", 1, 0), "bob", 2, 5f, "fay", 5, 3f);
        for (int i = 0; i < GRACE; i++) {
            tickAndReceive(next);
            assertEquals(Map.of(1, 0f, 2, 5f, 3, -5f, 5, 3f), view(), "within the grace, cat may still be confirmed");
        }
        tickAndReceive(next);
        assertEquals(Map.of(1, 0f, 2, 5f, 5, 3f), view(), "cat was not confirmed by the new cell");
        assertEquals("fay", names.get(5));

        // Teleported to another region, where entity 2 is somebody else and nobody is entity 5.
        CellSimulation elsewhere = cell(new CellId("harbour", 0, 0), "dan", 2, 7f);
        tickAndReceive(elsewhere);
        assertEquals(Map.of(1, 0f, 2, 7f), view());
        assertEquals("dan", names.get(2));
        tickAndReceive(elsewhere);
        assertEquals(Map.of(1, 0f, 2, 7f), view());
    }
}

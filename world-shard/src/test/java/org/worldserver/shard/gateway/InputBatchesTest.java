package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.region.RegionCell;

class InputBatchesTest {

    private static final ActorTestKit KIT = ActorTestKit.create("input-batches");
    private static final long MS = 1_000_000L;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static RegionCell.Input input(String avatar, int sequence) {
        return new RegionCell.Input(avatar, sequence, 1, 0, 0, 1);
    }

    @Test
    void holdsInputsForTheirWindowThenSendsOneMessagePerNodeInArrivalOrder() {
        TestProbe<SessionRelay.Command> east = KIT.createTestProbe();
        TestProbe<SessionRelay.Command> west = KIT.createTestProbe();
        InputBatches batches = new InputBatches(10 * MS, 256);
        batches.add(east.ref(), "plaza:1:1", input("a", 1), 100 * MS);
        batches.add(west.ref(), "plaza:5:5", input("b", 1), 103 * MS);
        batches.add(east.ref(), "plaza:1:2", input("c", 1), 104 * MS);
        batches.add(east.ref(), "plaza:1:1", input("a", 2), 105 * MS);

        assertEquals(0, batches.flushDue(109 * MS), "nothing has waited 10 ms yet");
        east.expectNoMessage(Duration.ofMillis(50));
        assertEquals(1, batches.flushDue(110 * MS), "east's oldest input has waited 10 ms; west's only 7");
        assertEquals(
                new SessionRelay.RelayedInputs(List.of(
                        new SessionRelay.RelayedInput("plaza:1:1", input("a", 1)),
                        new SessionRelay.RelayedInput("plaza:1:2", input("c", 1)),
                        new SessionRelay.RelayedInput("plaza:1:1", input("a", 2)))),
                east.receiveMessage());
        west.expectNoMessage(Duration.ofMillis(50));

        batches.add(east.ref(), "plaza:1:1", input("a", 3), 111 * MS); // a new batch: its own window
        assertEquals(1, batches.flushDue(113 * MS));
        assertEquals(
                new SessionRelay.RelayedInputs(List.of(new SessionRelay.RelayedInput("plaza:5:5", input("b", 1)))),
                west.receiveMessage());
        east.expectNoMessage(Duration.ofMillis(50));
        assertEquals(1, batches.flushDue(121 * MS));
        assertEquals(
                new SessionRelay.RelayedInputs(List.of(new SessionRelay.RelayedInput("plaza:1:1", input("a", 3)))),
                east.receiveMessage());
        assertEquals(0, batches.flushDue(200 * MS), "nothing left to send");
        assertEquals(5, batches.inputsSent());
        assertEquals(3, batches.batchesSent());
    }

    @Test
    void aFullBatchGoesAtOnce() {
        TestProbe<SessionRelay.Command> relay = KIT.createTestProbe();
        InputBatches batches = new InputBatches(10 * MS, 2);
        batches.add(relay.ref(), "plaza:0:0", input("a", 1), 0);
        relay.expectNoMessage(Duration.ofMillis(50));
        batches.add(relay.ref(), "plaza:0:0", input("b", 1), MS);
        assertEquals(
                2,
                ((SessionRelay.RelayedInputs) relay.receiveMessage()).inputs().size());
        batches.add(relay.ref(), "plaza:0:0", input("a", 2), 2 * MS);
        assertEquals(0, batches.flushDue(11 * MS), "the third input started a new batch at 2 ms");
        assertEquals(1, batches.flushDue(12 * MS));
        assertEquals(
                List.of(new SessionRelay.RelayedInput("plaza:0:0", input("a", 2))),
                ((SessionRelay.RelayedInputs) relay.receiveMessage()).inputs());
    }

    @Test
    void aWindowOfZeroSendsEachInputOnItsOwn() {
        TestProbe<SessionRelay.Command> relay = KIT.createTestProbe();
        InputBatches batches = new InputBatches(0, 256);
        batches.add(relay.ref(), "plaza:0:0", input("a", 1), 0);
        batches.add(relay.ref(), "plaza:0:0", input("a", 2), 0);
        assertEquals(
                1,
                ((SessionRelay.RelayedInputs) relay.receiveMessage()).inputs().size());
        assertEquals(
                1,
                ((SessionRelay.RelayedInputs) relay.receiveMessage()).inputs().size());
        assertEquals(0, batches.flushDue(0));
        assertEquals(2, batches.batchesSent());
    }

    @Test
    void refusesANegativeWindowOrAnEmptyBatch() {
        assertThrows(IllegalArgumentException.class, () -> new InputBatches(-1, 256));
        assertThrows(IllegalArgumentException.class, () -> new InputBatches(10 * MS, 0));
    }
}

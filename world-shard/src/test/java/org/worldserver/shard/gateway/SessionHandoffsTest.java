package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.gateway.SessionHandoffs.Step;

class SessionHandoffsTest {

    private static final long MS = 1_000_000L;
    private static final String NODE_B = "relay-b";
    private static final String NODE_C = "relay-c";
    private static final String CELL = "plaza:0:0";
    private static final String NEXT_CELL = "plaza:0:1";

    /** Gateways of B and C known; sessions published elsewhere as the test sets them. */
    private static final SessionHandoffs.GatewayAddress GATEWAY_B =
            new SessionHandoffs.GatewayAddress("127.0.0.1:40134", "127.0.0.1:40135", "key-1");

    private static final SessionHandoffs.GatewayAddress GATEWAY_C =
            new SessionHandoffs.GatewayAddress("c:1", "c:2", "key-1");

    private final Map<Object, SessionHandoffs.GatewayAddress> gateways =
            new HashMap<>(Map.of(NODE_B, GATEWAY_B, NODE_C, GATEWAY_C));

    private final Map<String, Object> sessionsElsewhere = new HashMap<>();
    private final AtomicLong nonces = new AtomicLong(100);

    private final SessionHandoffs.Directory directory = new SessionHandoffs.Directory() {
        @Override
        public SessionHandoffs.GatewayAddress gatewayOf(Object relay) {
            return gateways.get(relay);
        }

        @Override
        public Object sessionElsewhere(String avatarId) {
            return sessionsElsewhere.get(avatarId);
        }
    };

    /** after 2 s, timeout 8 s, retry 1 s, min-interval 30 s, 2 a second. */
    private SessionHandoffs handoffs(int perSecond) {
        return new SessionHandoffs(
                new SessionHandoffs.Settings(2000 * MS, 8000 * MS, 1000 * MS, 30_000 * MS, perSecond),
                directory,
                (avatar, nonce, to) -> (avatar + "/" + nonce).getBytes(),
                nonces::incrementAndGet);
    }

    @Test
    void shouldRedirectOnceTheCellRanOnTheSameOtherNodeLongEnoughAndCloseWhenThatNodePublishesTheSession() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State s = new SessionHandoffs.State();
        assertEquals(Step.NONE, h.step(s, "ada", CELL, null, 0, 0), "its cell is here");
        assertEquals(Step.NONE, h.step(s, "ada", CELL, NODE_B, 0, 100 * MS), "the cell is on B from now");
        assertEquals(Step.NONE, h.step(s, "ada", CELL, NODE_B, 0, 2000 * MS), "not long enough yet");
        assertEquals(Step.REDIRECT, h.step(s, "ada", CELL, NODE_B, 0, 2100 * MS));
        assertTrue(s.handingOff());
        assertEquals(GATEWAY_B, s.gateway());
        assertEquals(101, s.nonce());
        assertArrayEquals("ada/101".getBytes(), s.token());
        assertEquals(Step.NONE, h.step(s, "ada", CELL, NODE_B, 0, 2500 * MS), "repeated only after the retry interval");
        assertEquals(Step.REDIRECT, h.step(s, "ada", CELL, NODE_B, 0, 3100 * MS), "repeated: UDP loses");
        assertEquals(101, s.nonce(), "the same token each time");
        sessionsElsewhere.put("ada", NODE_B);
        assertEquals(Step.HANDED_OFF, h.step(s, "ada", CELL, NODE_B, 0, 3300 * MS), "B published ada's session");
        assertFalse(s.handingOff());
        assertEquals(1, h.started());
        assertEquals(1, h.handedOff());
        assertEquals(0, h.gaveUp());
        assertEquals(0, h.superseded());
    }

    @Test
    void shouldCloseASessionThatAnotherNodePublishedAfterItOnceTheGraceHasPassed() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State s = new SessionHandoffs.State();
        long published = 10_000 * MS;
        sessionsElsewhere.put("eve", NODE_C);
        assertEquals(
                Step.NONE,
                h.step(s, "eve", CELL, null, published, published + 1_900 * MS),
                "within the grace, the entry may be the one this node's has not replaced yet");
        assertEquals(Step.HANDED_OFF, h.step(s, "eve", CELL, null, published, published + 2_000 * MS));
        assertEquals(1, h.superseded());
        assertEquals(0, h.handedOff(), "not a handoff of this gateway's");
        sessionsElsewhere.remove("eve");
        SessionHandoffs.State mine = new SessionHandoffs.State();
        assertEquals(Step.NONE, h.step(mine, "eve", CELL, null, published, published + 60_000 * MS));
    }

    @Test
    void shouldGiveUpAfterTheTimeoutAndNotRedirectAgainWithinTheMinimumInterval() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State s = new SessionHandoffs.State();
        h.step(s, "bea", CELL, NODE_B, 0, 0);
        assertEquals(Step.REDIRECT, h.step(s, "bea", CELL, NODE_B, 0, 2000 * MS));
        assertEquals(
                Step.GAVE_UP, h.step(s, "bea", CELL, NODE_B, 0, 10_000 * MS), "8 s without the session appearing on B");
        assertFalse(s.handingOff());
        assertEquals(Step.NONE, h.step(s, "bea", CELL, NODE_B, 0, 10_100 * MS));
        assertEquals(Step.NONE, h.step(s, "bea", CELL, NODE_B, 0, 39_000 * MS), "not within 30 s of the last try");
        assertEquals(Step.REDIRECT, h.step(s, "bea", CELL, NODE_B, 0, 40_000 * MS));
        assertEquals(102, s.nonce(), "a new token for a new handoff");
        assertEquals(1, h.gaveUp());
    }

    @Test
    void shouldRestartTheWaitWhenTheCellMovesAndNeverRedirectWithoutAKnownGateway() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State s = new SessionHandoffs.State();
        h.step(s, "cyd", CELL, NODE_B, 0, 0);
        assertEquals(Step.NONE, h.step(s, "cyd", NEXT_CELL, NODE_C, 0, 1500 * MS), "walked into a cell on C");
        assertEquals(Step.NONE, h.step(s, "cyd", NEXT_CELL, NODE_C, 0, 3000 * MS), "on C for 1.5 s only");
        gateways.remove(NODE_C);
        assertEquals(Step.NONE, h.step(s, "cyd", NEXT_CELL, NODE_C, 0, 4000 * MS), "C runs no gateway");
        gateways.put(NODE_C, GATEWAY_C);
        assertEquals(Step.REDIRECT, h.step(s, "cyd", NEXT_CELL, NODE_C, 0, 4100 * MS));
        assertEquals(GATEWAY_C, s.gateway());
    }

    @Test
    void shouldFollowAShardThatMovedWithinTheMinimumIntervalButNotBounceAcrossABorder() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State moved = new SessionHandoffs.State();
        h.arrived(moved, 0);
        assertEquals(Step.NONE, h.step(moved, "dan", CELL, null, 0, 100 * MS), "arrived at its cell's node");
        assertEquals(Step.NONE, h.step(moved, "dan", CELL, NODE_B, 0, 5000 * MS), "the same cell runs on B now");
        assertEquals(Step.NONE, h.step(moved, "dan", CELL, NODE_B, 0, 6900 * MS), "on B for 1.9 s only");
        assertEquals(
                Step.REDIRECT,
                h.step(moved, "dan", CELL, NODE_B, 0, 7000 * MS),
                "a moved shard is followed well within the 30 s");
        assertEquals(GATEWAY_B, moved.gateway());

        SessionHandoffs.State crossed = new SessionHandoffs.State();
        h.arrived(crossed, 0);
        h.step(crossed, "eli", CELL, null, 0, 100 * MS);
        h.step(crossed, "eli", NEXT_CELL, NODE_B, 0, 5000 * MS);
        assertEquals(
                Step.NONE,
                h.step(crossed, "eli", NEXT_CELL, NODE_B, 0, 29_900 * MS),
                "walked into a cell on B: waits the interval out");
        assertEquals(Step.REDIRECT, h.step(crossed, "eli", NEXT_CELL, NODE_B, 0, 30_000 * MS));

        SessionHandoffs.State gaveUp = new SessionHandoffs.State();
        h.step(gaveUp, "fay", CELL, NODE_B, 0, 0);
        h.step(gaveUp, "fay", CELL, NODE_B, 0, 2000 * MS);
        assertEquals(Step.GAVE_UP, h.step(gaveUp, "fay", CELL, NODE_B, 0, 10_000 * MS));
        h.step(gaveUp, "fay", CELL, NODE_B, 0, 20_000 * MS);
        assertEquals(
                Step.NONE,
                h.step(gaveUp, "fay", CELL, NODE_B, 0, 22_500 * MS),
                "on B for 2.5 s, but its cell did not move: no new try before the interval");
        assertEquals(Step.REDIRECT, h.step(gaveUp, "fay", CELL, NODE_B, 0, 40_000 * MS));
    }

    @Test
    void shouldTakeACrossingOnTheSameNodeAsNoBounceAndACrossingReadHalfWayAsNoMove() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State neighbour = new SessionHandoffs.State();
        h.arrived(neighbour, 0);
        h.step(neighbour, "gus", CELL, null, 0, 100 * MS);
        h.step(neighbour, "gus", NEXT_CELL, null, 0, 1000 * MS); // a neighbour in the same shard, on this node
        h.step(neighbour, "gus", NEXT_CELL, NODE_B, 0, 5000 * MS); // the shard moves to B
        assertEquals(
                Step.REDIRECT,
                h.step(neighbour, "gus", NEXT_CELL, NODE_B, 0, 7000 * MS),
                "the cell it walked into on the same node moved: followed");

        // Gave up on B; crossing into a cell on C, one step reads the old cell with C's relay (the stream writes
        // the relay first). Back in the old cell on B, that read must not count as the old cell having moved.
        SessionHandoffs.State halfWay = new SessionHandoffs.State();
        h.step(halfWay, "hal", CELL, NODE_B, 0, 0);
        h.step(halfWay, "hal", CELL, NODE_B, 0, 2000 * MS);
        assertEquals(Step.GAVE_UP, h.step(halfWay, "hal", CELL, NODE_B, 0, 10_000 * MS));
        h.step(halfWay, "hal", CELL, NODE_C, 0, 10_100 * MS);
        h.step(halfWay, "hal", NEXT_CELL, NODE_C, 0, 10_200 * MS);
        h.step(halfWay, "hal", CELL, NODE_B, 0, 15_000 * MS);
        assertEquals(
                Step.NONE,
                h.step(halfWay, "hal", CELL, NODE_B, 0, 17_100 * MS),
                "walked back across a border: waits the interval out");
    }

    @Test
    void shouldStartAtMostPerSecondHandoffsAndNoneWhenOff() {
        SessionHandoffs h = handoffs(2);
        SessionHandoffs.State[] states = new SessionHandoffs.State[3];
        for (int i = 0; i < 3; i++) {
            states[i] = new SessionHandoffs.State();
            h.step(states[i], "a" + i, CELL, NODE_B, 0, 0);
        }
        assertEquals(Step.REDIRECT, h.step(states[0], "a0", CELL, NODE_B, 0, 2000 * MS));
        assertEquals(Step.REDIRECT, h.step(states[1], "a1", CELL, NODE_B, 0, 2000 * MS));
        assertEquals(
                Step.NONE, h.step(states[2], "a2", CELL, NODE_B, 0, 2000 * MS), "the third waits for the next second");
        assertEquals(Step.REDIRECT, h.step(states[2], "a2", CELL, NODE_B, 0, 3000 * MS));

        SessionHandoffs off = new SessionHandoffs(
                SessionHandoffs.Settings.OFF, directory, (a, n, to) -> new byte[0], nonces::incrementAndGet);
        SessionHandoffs.State s = new SessionHandoffs.State();
        off.step(s, "dan", CELL, NODE_B, 0, 0);
        assertEquals(Step.NONE, off.step(s, "dan", CELL, NODE_B, 0, 3_600_000 * MS));
        assertFalse(off.enabled());
        assertThrows(IllegalArgumentException.class, () -> new SessionHandoffs.Settings(1, 0, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SessionHandoffs.Settings(1, 1, 1, 0, 0));
    }

    @Test
    void shouldPublishAGatewaysAddressAsTextAndReadItBack() {
        assertEquals(GATEWAY_B, SessionHandoffs.GatewayAddress.parse(GATEWAY_B.text()));
        assertEquals(
                new SessionHandoffs.GatewayAddress("a:1", "a:2", null),
                SessionHandoffs.GatewayAddress.parse("a:1 a:2"),
                "a node that publishes no key id");
        assertEquals(null, SessionHandoffs.GatewayAddress.parse("127.0.0.1:40134"));
        assertEquals(null, SessionHandoffs.GatewayAddress.parse("127.0.0.1:40134 "));
        assertEquals(null, SessionHandoffs.GatewayAddress.parse("a:1  key-1"));
        assertEquals(null, SessionHandoffs.GatewayAddress.parse("a:1 a:2 key-1 more"));
    }
}

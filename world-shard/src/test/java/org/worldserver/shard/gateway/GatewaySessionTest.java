package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.sbe.InputDecoder;
import org.worldserver.protocol.sbe.InputEncoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;

class GatewaySessionTest {

    private static final long SOURCE = 1001L;
    private static final long MS = 1_000_000L;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    private InputDecoder input(int sequence) {
        new InputEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .sessionId(5)
                .sequence(sequence)
                .clientTimeMicros(0)
                .intentX((byte) 10)
                .intentZ((byte) 0)
                .focusYaw(0);
        return new InputDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
    }

    @Test
    void shouldRouteFreshInputsFromItsSourceOnlyAndWithinItsRate() {
        GatewaySession session = new GatewaySession(5L, "ada", SOURCE, 20, 0);
        assertEquals(GatewaySession.InputVerdict.ROUTE, session.onInput(input(1), SOURCE, 0));
        assertEquals(GatewaySession.InputVerdict.WRONG_SOURCE, session.onInput(input(2), 2002L, 0));
        assertEquals(GatewaySession.InputVerdict.REPLAYED, session.onInput(input(1), SOURCE, 0), "a replay");
        // A burst of half a second's worth (10 at 20/s) passes at once; the rest waits for the rate.
        int routed = 0;
        for (int s = 2; s < 40; s++) {
            routed += session.onInput(input(s), SOURCE, 0) == GatewaySession.InputVerdict.ROUTE ? 1 : 0;
        }
        assertEquals(9, routed, "the burst's other nine");
        assertEquals(GatewaySession.InputVerdict.ROUTE, session.onInput(input(40), SOURCE, 60 * MS));
    }

    @Test
    void shouldTimeOutWhenNotHeardFromItsSource() {
        GatewaySession session = new GatewaySession(5L, "ada", SOURCE, 20, 0);
        assertFalse(session.heard(2002L, 900 * MS), "another source does not keep it alive");
        assertTrue(session.idle(1_001 * MS, 1_000 * MS));
        assertTrue(session.onAck(3, SOURCE, 900 * MS));
        assertFalse(session.idle(1_001 * MS, 1_000 * MS));
    }

    @Test
    void shouldHoldAtMostItsCapacityAndCloseIdleSessions() {
        SessionTable table = new SessionTable(2);
        assertTrue(table.open(new GatewaySession(1L, "a", 1, 20, 0)));
        assertTrue(table.open(new GatewaySession(2L, "b", 2, 20, 500 * MS)));
        assertFalse(table.open(new GatewaySession(3L, "c", 3, 20, 0)), "full");
        assertFalse(table.open(new GatewaySession(2L, "d", 4, 20, 0)), "id taken");
        List<String> closed = new ArrayList<>();
        table.closeWhere(s -> s.idle(1_200 * MS, 1_000 * MS), s -> closed.add(s.avatarId()));
        assertEquals(List.of("a"), closed);
        assertNull(table.get(1L));
        assertEquals("b", table.get(2L).avatarId());
        assertEquals(1, table.size());
    }
}

package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.AssetRequests.AssetRequest;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.ResponseEncoder;
import org.worldserver.protocol.sbe.ResponseStatus;

/** Every asset request kind reads back what its payload method wrote; any other shape reads as malformed. */
class AssetRequestsTest {

    private static AssetRequest read(int kind, byte[] payload) {
        byte[] padded = new byte[payload.length + 3]; // at an offset, with bytes after it
        System.arraycopy(payload, 0, padded, 2, payload.length);
        return AssetRequests.read(kind, new UnsafeBuffer(padded), 2, payload.length);
    }

    @Test
    void shouldReadBackEveryKind() {
        assertEquals("lamp", read(AssetRequests.GET, AssetRequests.get("lamp")).asset());
        AssetRequest transfer = read(AssetRequests.TRANSFER, AssetRequests.transfer("lamp", "bøb"));
        assertEquals("bøb", transfer.other(), "UTF-8");
        assertEquals(
                7_500_000,
                read(AssetRequests.LIST, AssetRequests.list("lamp", 7_500_000)).price());
        assertEquals(
                "lamp", read(AssetRequests.DELIST, AssetRequests.delist("lamp")).asset());
        AssetRequest buy = read(AssetRequests.BUY, AssetRequests.buy("lamp", "t-1", Long.MAX_VALUE));
        assertEquals("t-1", buy.other());
        assertEquals(Long.MAX_VALUE, buy.price());
        AssetRequest place = read(AssetRequests.PLACE, AssetRequests.place("lamp", "p1", 1.5f, 0, -2));
        assertEquals("p1", place.other());
        assertArrayEquals(new float[] {1.5f, 0, -2}, place.point());
        assertEquals(
                "p1",
                read(AssetRequests.UNPLACE, AssetRequests.unplace("lamp", "p1")).other());
        assertEquals("lamp", read(AssetRequests.USE, AssetRequests.use("lamp")).asset());
        assertEquals(
                "lamp", read(AssetRequests.USAGE, AssetRequests.usage("lamp")).asset());
        assertEquals("", read(AssetRequests.GET, new byte[] {0}).asset(), "empty: the world names what is wrong");
    }

    @Test
    void shouldReadAnyOtherShapeAsMalformed() {
        byte[] buy = AssetRequests.buy("lamp", "t-1", 5);
        assertNull(read(AssetRequests.BUY, Arrays.copyOf(buy, buy.length - 1)), "short");
        assertNull(read(AssetRequests.BUY, Arrays.copyOf(buy, buy.length + 1)), "long");
        assertNull(read(AssetRequests.GET, AssetRequests.buy("lamp", "t-1", 5)), "another kind's payload");
        assertNull(read(AssetRequests.GET, new byte[0]), "empty");
        assertNull(read(AssetRequests.GET, new byte[] {9, 'l', 'a'}), "a text longer than the payload");
        assertNull(read(AssetRequests.GET, new byte[] {2, (byte) 0xC3, 'x'}), "not UTF-8");
        assertNull(read(AssetRequests.PLACE, AssetRequests.place("lamp", "p1", Float.NaN, 0, 0)), "NaN");
        assertNull(read(AssetRequests.PLACE, AssetRequests.place("lamp", "p1", 0, Float.NEGATIVE_INFINITY, 0)));
        assertNull(read(1, AssetRequests.get("lamp")), "a teleport is not an asset request");
        assertNull(read(11, AssetRequests.get("lamp")), "no such kind");
        assertThrows(IllegalArgumentException.class, () -> AssetRequests.get("x".repeat(256)), "too long to send");
        UnsafeBuffer four = new UnsafeBuffer(new byte[4]);
        assertNull(AssetRequests.read(AssetRequests.GET, four, -1, 2), "a range before the buffer");
        assertNull(AssetRequests.read(AssetRequests.GET, four, 3, 2), "a range past the buffer");
        assertNull(AssetRequests.read(AssetRequests.GET, four, 0, -1), "a negative length");
    }

    @Test
    void shouldKeepResultsWithinOneDatagram() {
        assertEquals(AssetRequests.MAX_RESULT_BYTES, AssetRequests.resultBytes("é".repeat(512)).length);
        assertNull(AssetRequests.resultBytes("é".repeat(512) + "x"));
        UnsafeBuffer datagram = new UnsafeBuffer(new byte[4096]);
        byte[] longest = new byte[AssetRequests.MAX_RESULT_BYTES];
        int length = MessageHeaderEncoder.ENCODED_LENGTH
                + new ResponseEncoder()
                        .wrapAndApplyHeader(datagram, 0, new MessageHeaderEncoder())
                        .sessionId(1)
                        .requestId(1)
                        .status(ResponseStatus.OK)
                        .putPayload(longest, 0, longest.length)
                        .encodedLength();
        assertTrue(length <= ProtocolLimits.MAX_DATAGRAM_BYTES, length + " bytes: the longest result fits a datagram");
    }
}

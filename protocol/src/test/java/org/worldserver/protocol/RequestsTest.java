package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RequestsTest {

    @Test
    void shouldReadBackATeleportPayloadAndRejectAnyOtherShape() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        float[] xyz = new float[3];
        int length = Requests.putTeleport(buffer, 2, 12.5f, -1f, 1000f);
        assertTrue(Requests.readTeleport(buffer, 2, length, xyz));
        assertArrayEquals(new float[] {12.5f, -1f, 1000f}, xyz);

        assertFalse(Requests.readTeleport(buffer, 2, length - 1, xyz), "too short");
        assertFalse(Requests.readTeleport(buffer, 0, 16, xyz), "too long");
        Requests.putTeleport(buffer, 0, 1, Float.NaN, 1);
        assertFalse(Requests.readTeleport(buffer, 0, length, xyz), "not a number");
        Requests.putTeleport(buffer, 0, 1, 1, Float.POSITIVE_INFINITY);
        assertFalse(Requests.readTeleport(buffer, 0, length, xyz), "infinite");
    }

    @Test
    void shouldCutLongMessagesOnACharacterBoundary() {
        assertEquals("region-teleport-refused: x", new String(Requests.messageBytes("region-teleport-refused: x")));
        byte[] cut = Requests.messageBytes("é".repeat(150)); // 300 bytes of two-byte characters
        assertEquals(Requests.MAX_MESSAGE_BYTES, cut.length);
        assertEquals("é".repeat(100), new String(cut, StandardCharsets.UTF_8));
        byte[] odd = Requests.messageBytes("a" + "é".repeat(150));
        assertEquals(Requests.MAX_MESSAGE_BYTES - 1, odd.length, "not inside the 100th character");
    }
}

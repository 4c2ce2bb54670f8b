package org.worldserver.protocol;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The kinds of Request (message 20) a session may send, with their payloads, and the stable error codes a Response
 * (21) carries (protocol/README.md, "Requests"). Every Response answers one request id, once: a repeated Request
 * with an id the server still remembers gets the same answer again and is not executed twice. A Response other
 * than OK carries {@code "<code>: <detail>"} in UTF-8 as its payload.
 */
public final class Requests {

    /**
     * Moves the session's avatar to a point of its current region. Payload: x (east), y (up), z (north), metres
     * from the region's origin, three float32 little-endian (12 bytes). OK with an empty payload once the avatar's
     * cell moved it; BAD_REQUEST {@code region-teleport-refused} where the region allows no teleports or the point
     * is outside its bounds.
     */
    public static final int TELEPORT = 1;

    public static final int TELEPORT_PAYLOAD_BYTES = 12;

    /** BAD_REQUEST: no such kind. */
    public static final String UNKNOWN_KIND = "request-kind-unknown";
    /** BAD_REQUEST: the payload does not fit the kind (length, non-finite numbers). */
    public static final String MALFORMED = "request-malformed";
    /** UNAVAILABLE: the session sends requests faster than its limit; the request was not executed. */
    public static final String RATE_LIMITED = "request-rate-limited";
    /** UNAVAILABLE: the world did not answer in time; the request may or may not have taken effect. */
    public static final String WORLD_UNAVAILABLE = "world-unavailable";
    /** UNAVAILABLE, made up by the client: no Response came before its request timeout. */
    public static final String TIMED_OUT = "request-timed-out";

    /** Longest Response payload the server sends, bytes (longer messages are cut). */
    public static final int MAX_MESSAGE_BYTES = 200;

    private Requests() {}

    /** Writes a teleport payload at {@code offset}; returns its length. */
    public static int putTeleport(MutableDirectBuffer buffer, int offset, float x, float y, float z) {
        buffer.putFloat(offset, x, ByteOrder.LITTLE_ENDIAN);
        buffer.putFloat(offset + 4, y, ByteOrder.LITTLE_ENDIAN);
        buffer.putFloat(offset + 8, z, ByteOrder.LITTLE_ENDIAN);
        return TELEPORT_PAYLOAD_BYTES;
    }

    /**
     * Reads a teleport payload into {@code xyz}.
     *
     * @return false if it is not one (wrong length, or a coordinate that is not finite)
     */
    public static boolean readTeleport(DirectBuffer payload, int offset, int length, float[] xyz) {
        if (length != TELEPORT_PAYLOAD_BYTES) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            xyz[i] = payload.getFloat(offset + 4 * i, ByteOrder.LITTLE_ENDIAN);
            if (!Float.isFinite(xyz[i])) {
                return false;
            }
        }
        return true;
    }

    /** A Response's message as UTF-8, cut to {@link #MAX_MESSAGE_BYTES} on a character boundary. */
    public static byte[] messageBytes(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return bytes;
        }
        int end = MAX_MESSAGE_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // not inside a multi-byte character
        }
        return Arrays.copyOf(bytes, end);
    }
}

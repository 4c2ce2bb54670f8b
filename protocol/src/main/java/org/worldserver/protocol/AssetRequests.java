package org.worldserver.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The asset kinds of Request (message 20): what a session does with assets as its avatar (the identity its connect
 * token proved; no request names who acts). Payloads are fields in a fixed order per kind: a text is one byte of
 * length and that many bytes of UTF-8 (an id, 1-128 characters without ':', at most 255 bytes), a price an int64
 * of micro-credits and a coordinate a float32, little-endian (protocol/README.md, "Requests").
 *
 * <p>An OK Response carries the result as a UTF-8 JSON object of at most {@link #MAX_RESULT_BYTES}; any other
 * status carries {@code "<code>: <detail>"}, with the same stable codes as the operator API's (asset-unknown,
 * asset-not-owner, insufficient-funds, ...).
 */
public final class AssetRequests {

    /** asset → the asset: {"id", "kind", "name", "owner", "status", "price", "lentTo"?}. */
    public static final int GET = 2;
    /** asset, to → the asset, now {@code to}'s (the avatar must own it). */
    public static final int TRANSFER = 3;
    /** asset, price → the asset, listed at that price. */
    public static final int LIST = 4;
    /** asset → the asset, no longer listed. */
    public static final int DELIST = 5;
    /**
     * asset, trade, price → once the trade completed: {"trade", "asset", "seller", "price", "fee", "feeWaived",
     * "phase"}; paid from the avatar's own account (kind AVATAR, owned by it: {@code account-not-owner} else); a
     * voided trade is answered with the code of what refused it. The trade id is the client's (repeat it to learn a
     * trade's outcome after {@code world-unavailable}).
     */
    public static final int BUY = 6;
    /** asset, placement, x, y, z → places a model or twin at that point of the avatar's region: the usage. */
    public static final int PLACE = 7;
    /** asset, placement → removes a placement (made by the avatar, or of an asset it holds): the usage. */
    public static final int UNPLACE = 8;
    /** asset → counts one use, by the avatar, of an asset placed in its region: the usage. */
    public static final int USE = 9;
    /** asset → the usage, for its owner: {"asset", "livePlacements", "placed", "removed", "uses", "lastUsedAt"}. */
    public static final int USAGE = 10;

    /** Longest OK result the server sends, bytes of UTF-8 JSON (a result fits one datagram). */
    public static final int MAX_RESULT_BYTES = 1_024;
    /** Longest text field, bytes of UTF-8. */
    public static final int MAX_TEXT_BYTES = 255;

    private AssetRequests() {}

    /**
     * A Response that refuses to send a result longer than {@link #MAX_RESULT_BYTES} (UNAVAILABLE; the request took
     * effect): the server keeps its results shorter, so this is a bug to report, never JSON cut in half.
     */
    public static final String RESULT_TOO_LARGE = "result-too-large";

    /** An OK result as UTF-8, or null if it is longer than {@link #MAX_RESULT_BYTES}. */
    public static byte[] resultBytes(String result) {
        byte[] bytes = result.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_RESULT_BYTES ? bytes : null;
    }

    /** Whether {@code kind} is one of these. */
    public static boolean isAssetKind(int kind) {
        return kind >= GET && kind <= USAGE;
    }

    /**
     * A decoded asset request.
     *
     * @param other the second text: {@code to} (TRANSFER), the trade (BUY), the placement (PLACE, UNPLACE), else null
     * @param price micro-credits (LIST, BUY), else 0
     * @param point x, y, z metres (PLACE), else null
     */
    public record AssetRequest(int kind, String asset, String other, long price, float[] point) {}

    /**
     * Reads an asset request's payload.
     *
     * @return null if it does not fit {@code kind}: a missing or extra byte, a text that is not UTF-8, a coordinate
     *     that is not finite, or a range outside the buffer (ids, prices and points are checked by the world, which
     *     names what is wrong); never throws
     */
    public static AssetRequest read(int kind, DirectBuffer payload, int offset, int length) {
        if (!isAssetKind(kind) || offset < 0 || length < 0 || (long) offset + length > payload.capacity()) {
            return null;
        }
        Reader in = new Reader(payload, offset, offset + length);
        String asset = in.text();
        String other = kind == TRANSFER || kind == BUY || kind == PLACE || kind == UNPLACE ? in.text() : null;
        long price = kind == LIST || kind == BUY ? in.int64() : 0;
        float[] point = kind == PLACE ? new float[] {in.float32(), in.float32(), in.float32()} : null;
        if (!in.wholeAndValid()) {
            return null;
        }
        if (point != null && !(Float.isFinite(point[0]) && Float.isFinite(point[1]) && Float.isFinite(point[2]))) {
            return null;
        }
        return new AssetRequest(kind, asset, other, price, point);
    }

    // --- payloads, for clients ------------------------------------------------------------------------------

    public static byte[] get(String asset) {
        return new Writer().text(asset).bytes();
    }

    public static byte[] transfer(String asset, String to) {
        return new Writer().text(asset).text(to).bytes();
    }

    public static byte[] list(String asset, long price) {
        return new Writer().text(asset).int64(price).bytes();
    }

    public static byte[] delist(String asset) {
        return new Writer().text(asset).bytes();
    }

    public static byte[] buy(String asset, String trade, long price) {
        return new Writer().text(asset).text(trade).int64(price).bytes();
    }

    public static byte[] place(String asset, String placement, float x, float y, float z) {
        return new Writer()
                .text(asset)
                .text(placement)
                .float32(x)
                .float32(y)
                .float32(z)
                .bytes();
    }

    public static byte[] unplace(String asset, String placement) {
        return new Writer().text(asset).text(placement).bytes();
    }

    public static byte[] use(String asset) {
        return new Writer().text(asset).bytes();
    }

    public static byte[] usage(String asset) {
        return new Writer().text(asset).bytes();
    }

    /** Sequential little-endian reads that never throw: a read past the end marks the payload short. */
    private static final class Reader {
        private final DirectBuffer buffer;
        private final int end;
        private int at;
        private boolean valid = true;

        Reader(DirectBuffer buffer, int at, int end) {
            this.buffer = buffer;
            this.at = at;
            this.end = end;
        }

        private boolean take(int bytes) {
            if (!valid || end - at < bytes) {
                valid = false;
                return false;
            }
            return true;
        }

        String text() {
            if (!take(1)) {
                return null;
            }
            int length = buffer.getByte(at) & 0xFF;
            at++;
            if (!take(length)) {
                return null;
            }
            byte[] bytes = new byte[length];
            buffer.getBytes(at, bytes);
            at += length;
            var decoder = StandardCharsets.UTF_8.newDecoder(); // REPORT on malformed input (unlike new String)
            try {
                return decoder.decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                valid = false;
                return null;
            }
        }

        long int64() {
            if (!take(8)) {
                return 0;
            }
            long v = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
            at += 8;
            return v;
        }

        float float32() {
            if (!take(4)) {
                return 0;
            }
            float v = buffer.getFloat(at, ByteOrder.LITTLE_ENDIAN);
            at += 4;
            return v;
        }

        boolean wholeAndValid() {
            return valid && at == end;
        }
    }

    /** Sequential little-endian writes. */
    private static final class Writer {
        private final MutableDirectBuffer buffer = new ExpandableArrayBuffer(64);
        private int at;

        Writer text(String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_TEXT_BYTES) {
                throw new IllegalArgumentException("at most " + MAX_TEXT_BYTES + " bytes of UTF-8: " + text);
            }
            buffer.putByte(at++, (byte) bytes.length);
            buffer.putBytes(at, bytes);
            at += bytes.length;
            return this;
        }

        Writer int64(long v) {
            buffer.putLong(at, v, ByteOrder.LITTLE_ENDIAN);
            at += 8;
            return this;
        }

        Writer float32(float v) {
            buffer.putFloat(at, v, ByteOrder.LITTLE_ENDIAN);
            at += 4;
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[at];
            buffer.getBytes(0, out);
            return out;
        }
    }
}

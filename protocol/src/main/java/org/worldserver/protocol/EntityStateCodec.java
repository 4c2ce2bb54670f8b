package org.worldserver.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Packs the entity states of one snapshot (the {@code entityStates} data of the SBE Snapshot message) and reads
 * them back, delta-encoded against a baseline: the newest snapshot the client acknowledged.
 *
 * <pre>
 * block   = count:uint16 (little-endian), then count entities in increasing entity id order
 * entity  = idGap:varint   zig-zag of (id − previous id in this block; the first is relative to 0)
 *           flags:uint8    DELTA 0x01, POSITION 0x02, ROTATION 0x04, VELOCITY 0x08 (other bits: malformed)
 *           [x, y, z:varint] zig-zag, cm; with DELTA the difference from the baseline's state of this entity
 *           [rotation:int32 little-endian] smallest-three, always whole
 *           [vx, vz:varint]  zig-zag, cm/s; with DELTA the difference from the baseline
 * varint  = LEB128, 1..5 bytes for 32 bits
 * </pre>
 *
 * Without DELTA all three parts are present. With DELTA a part that did not change is left out, so an entity
 * at rest costs 2–3 bytes and one walking at 6 m/s at 20 Hz about 7–9 bytes (the rotation when it turns: +4),
 * against 26 bytes of fixed-width state (id, x, y, z, rotation as ints, vx, vz as shorts). Differences wrap
 * around like int arithmetic, so every state round-trips exactly.
 *
 * <p>Encoding allocates nothing. Decoding checks every length and value against the block's bounds and answers
 * with an {@link Outcome}: it never throws on malformed input and never reads outside the given range. Not
 * thread-safe (one instance per sender or receiver).
 */
public final class EntityStateCodec {

    public static final int FLAG_DELTA = 0x01;
    public static final int FLAG_POSITION = 0x02;
    public static final int FLAG_ROTATION = 0x04;
    public static final int FLAG_VELOCITY = 0x08;
    private static final int KNOWN_FLAGS = FLAG_DELTA | FLAG_POSITION | FLAG_ROTATION | FLAG_VELOCITY;
    private static final int WHOLE = FLAG_POSITION | FLAG_ROTATION | FLAG_VELOCITY;

    /** The most bytes one entity takes: id 5, flags 1, position 15, rotation 4, velocity 10. */
    public static final int MAX_ENTITY_BYTES = 35;

    /** Bytes before the first entity. */
    public static final int HEADER_BYTES = 2;

    /** How reading a block ended. */
    public enum Outcome {
        OK,
        /** The block ends inside a value. */
        TRUNCATED,
        /** A variable-length integer is longer than 5 bytes or does not fit 32 bits. */
        BAD_VARINT,
        /** Entity ids do not strictly increase. */
        IDS_NOT_INCREASING,
        /** Unknown flag bits, or a whole state with parts missing. */
        BAD_FLAGS,
        /** A delta refers to an entity the baseline does not have. */
        NOT_IN_BASELINE,
        /** Bytes are left after the last entity. */
        TRAILING_BYTES
    }

    private int encodedLength;

    // Decoder state, so that the helpers need not allocate.
    private DirectBuffer in;
    private int position;
    private int end;
    private boolean failedVarint;

    /** Bytes written by the last {@link #encode}. */
    public int encodedLength() {
        return encodedLength;
    }

    /**
     * Writes {@code states[from..]} into {@code buffer} at {@code offset}, using at most {@code capacity} bytes;
     * each entity that {@code baseline} has (null: none) is written as a delta against it. Stops before the first
     * entity that might not fit, so a large set spreads over several blocks.
     *
     * @return how many entities were written (from {@code from}); {@link #encodedLength()} gives the bytes
     * @throws IllegalArgumentException if {@code capacity} cannot hold the header
     */
    public int encode(
            EntityStates states,
            int from,
            EntityStates baseline,
            MutableDirectBuffer buffer,
            int offset,
            int capacity) {
        if (capacity < HEADER_BYTES) {
            throw new IllegalArgumentException("capacity " + capacity + " cannot hold a block header");
        }
        int at = offset + HEADER_BYTES;
        int limit = offset + capacity;
        int previousId = 0;
        int written = 0;
        int cursor = 0; // into baseline: both are sorted by id
        for (int i = from; i < states.size() && written < 0xFFFF && limit - at >= MAX_ENTITY_BYTES; i++) {
            int id = states.entityId[i];
            at = putVarint(buffer, at, zigzag(id - previousId));
            previousId = id;
            int base = -1;
            if (baseline != null) {
                while (cursor < baseline.size() && baseline.entityId[cursor] < id) {
                    cursor++;
                }
                if (cursor < baseline.size() && baseline.entityId[cursor] == id) {
                    base = cursor;
                }
            }
            if (base < 0) {
                buffer.putByte(at++, (byte) WHOLE);
                at = putVarint(buffer, at, zigzag(states.x[i]));
                at = putVarint(buffer, at, zigzag(states.y[i]));
                at = putVarint(buffer, at, zigzag(states.z[i]));
                buffer.putInt(at, states.rotation[i], LITTLE_ENDIAN);
                at += 4;
                at = putVarint(buffer, at, zigzag(states.vx[i]));
                at = putVarint(buffer, at, zigzag(states.vz[i]));
            } else {
                boolean moved = states.x[i] != baseline.x[base]
                        || states.y[i] != baseline.y[base]
                        || states.z[i] != baseline.z[base];
                boolean turned = states.rotation[i] != baseline.rotation[base];
                boolean sped = states.vx[i] != baseline.vx[base] || states.vz[i] != baseline.vz[base];
                int flags = FLAG_DELTA
                        | (moved ? FLAG_POSITION : 0)
                        | (turned ? FLAG_ROTATION : 0)
                        | (sped ? FLAG_VELOCITY : 0);
                buffer.putByte(at++, (byte) flags);
                if (moved) {
                    at = putVarint(buffer, at, zigzag(states.x[i] - baseline.x[base]));
                    at = putVarint(buffer, at, zigzag(states.y[i] - baseline.y[base]));
                    at = putVarint(buffer, at, zigzag(states.z[i] - baseline.z[base]));
                }
                if (turned) {
                    buffer.putInt(at, states.rotation[i], LITTLE_ENDIAN);
                    at += 4;
                }
                if (sped) {
                    at = putVarint(buffer, at, zigzag(states.vx[i] - baseline.vx[base]));
                    at = putVarint(buffer, at, zigzag(states.vz[i] - baseline.vz[base]));
                }
            }
            written++;
        }
        buffer.putShort(offset, (short) written, LITTLE_ENDIAN);
        encodedLength = at - offset;
        return written;
    }

    /**
     * Reads the block in {@code buffer[offset, offset + length)} into {@code out} (cleared first), applying deltas
     * to {@code baseline} (null: the block must hold whole states only). On any outcome but OK, {@code out}'s
     * content is unspecified.
     */
    public Outcome decode(DirectBuffer buffer, int offset, int length, EntityStates baseline, EntityStates out) {
        out.clear();
        failedVarint = false;
        if (length < HEADER_BYTES || offset < 0 || length > buffer.capacity() - offset) {
            return Outcome.TRUNCATED;
        }
        in = buffer;
        position = offset + HEADER_BYTES;
        end = offset + length;
        int count = buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if ((long) count * 2 > end - position) {
            return Outcome.TRUNCATED; // every entity takes at least 2 bytes
        }
        int previousId = 0;
        int cursor = 0;
        for (int n = 0; n < count; n++) {
            int gap = unzigzag(readVarint());
            if (failedVarint) {
                return varintOutcome();
            }
            int id = previousId + gap;
            if (n > 0 && (gap <= 0 || id <= previousId)) {
                return Outcome.IDS_NOT_INCREASING;
            }
            previousId = id;
            if (position >= end) {
                return Outcome.TRUNCATED;
            }
            int flags = in.getByte(position++) & 0xFF;
            if ((flags & ~KNOWN_FLAGS) != 0) {
                return Outcome.BAD_FLAGS;
            }
            int px;
            int py;
            int pz;
            int rotation;
            int velocityX;
            int velocityZ;
            if ((flags & FLAG_DELTA) == 0) {
                if (flags != WHOLE) {
                    return Outcome.BAD_FLAGS;
                }
                px = unzigzag(readVarint());
                py = unzigzag(readVarint());
                pz = unzigzag(readVarint());
                rotation = readInt();
                velocityX = unzigzag(readVarint());
                velocityZ = unzigzag(readVarint());
            } else {
                if (baseline == null) {
                    return Outcome.NOT_IN_BASELINE;
                }
                while (cursor < baseline.size() && baseline.entityId[cursor] < id) {
                    cursor++;
                }
                if (cursor == baseline.size() || baseline.entityId[cursor] != id) {
                    return Outcome.NOT_IN_BASELINE;
                }
                px = baseline.x[cursor];
                py = baseline.y[cursor];
                pz = baseline.z[cursor];
                rotation = baseline.rotation[cursor];
                velocityX = baseline.vx[cursor];
                velocityZ = baseline.vz[cursor];
                if ((flags & FLAG_POSITION) != 0) {
                    px += unzigzag(readVarint());
                    py += unzigzag(readVarint());
                    pz += unzigzag(readVarint());
                }
                if ((flags & FLAG_ROTATION) != 0) {
                    rotation = readInt();
                }
                if ((flags & FLAG_VELOCITY) != 0) {
                    velocityX += unzigzag(readVarint());
                    velocityZ += unzigzag(readVarint());
                }
            }
            if (failedVarint || position > end) {
                return varintOutcome();
            }
            out.add(id, px, py, pz, rotation, velocityX, velocityZ);
        }
        return position == end ? Outcome.OK : Outcome.TRAILING_BYTES;
    }

    private Outcome varintOutcome() {
        boolean truncated = position >= end;
        failedVarint = false;
        return truncated ? Outcome.TRUNCATED : Outcome.BAD_VARINT;
    }

    /** Reads a 32-bit LEB128 value; on a malformed or truncated one sets {@link #failedVarint} and returns 0. */
    private int readVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (position >= end) {
                failedVarint = true;
                position = end;
                return 0;
            }
            int b = in.getByte(position++) & 0xFF;
            if (shift == 28 && (b & 0xF0) != 0) {
                failedVarint = true; // more than 32 bits, or a sixth byte
                return 0;
            }
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        failedVarint = true;
        return 0;
    }

    private int readInt() {
        if (end - position < 4) {
            failedVarint = true;
            position = end;
            return 0;
        }
        int value = in.getInt(position, LITTLE_ENDIAN);
        position += 4;
        return value;
    }

    private static int putVarint(MutableDirectBuffer buffer, int at, int value) {
        while ((value & ~0x7F) != 0) {
            buffer.putByte(at++, (byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        buffer.putByte(at++, (byte) value);
        return at;
    }

    static int zigzag(int n) {
        return (n << 1) ^ (n >> 31);
    }

    static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }
}

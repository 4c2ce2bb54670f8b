package org.worldserver.protocol;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.worldserver.protocol.sbe.AckDecoder;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectDecoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.EntityKind;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.InputDecoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.RedirectDecoder;
import org.worldserver.protocol.sbe.RequestDecoder;
import org.worldserver.protocol.sbe.ResponseDecoder;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.protocol.sbe.SessionAcceptedDecoder;
import org.worldserver.protocol.sbe.SessionDeniedDecoder;
import org.worldserver.protocol.sbe.SnapshotDecoder;

/**
 * The front door for received datagrams: checks that one is a complete, well-formed message of this schema
 * before any decoder touches it. After {@link Result#OK} the generated decoder for {@link #templateId()} reads
 * every field, group and data of the datagram within its bounds, and its enum accessors do not throw.
 *
 * <p>The work is bounded by the datagram's length (at most {@link ProtocolLimits#MAX_DATAGRAM_BYTES}) whatever
 * the bytes are: a fixed header check, then one step per data field or group. No allocation, no exception for
 * any input. Not thread-safe: one instance per receiving thread.
 */
public final class DatagramCheck {

    /** Why a datagram was refused (counted per reason by the receiver), or OK. */
    public enum Result {
        OK,
        TOO_SHORT,
        TOO_LONG,
        /** Another schema id, or a version older than 1. */
        WRONG_SCHEMA,
        UNKNOWN_TEMPLATE,
        /** The root block is shorter than this version's fields. */
        BAD_BLOCK_LENGTH,
        /** A data field or group runs past the end, or bytes are left after the message. */
        BAD_LENGTHS,
        /** An enum field holds a value this version does not know. */
        BAD_ENUM
    }

    private static final int HEADER = MessageHeaderDecoder.ENCODED_LENGTH;
    /**
     * Template id → body layout after the root block: 'D' a data field, 'G' a group of fixed entries, 'N' the
     * Snapshot's entered group (each entry a fixed block with an EntityKind, then one data field); null: unknown.
     */
    private static final String[] LAYOUT = new String[32];
    /** Template id → this version's root block length. */
    private static final int[] BLOCK = new int[32];

    static {
        layout(ConnectRequestDecoder.TEMPLATE_ID, ConnectRequestDecoder.BLOCK_LENGTH, "DD");
        layout(ChallengeDecoder.TEMPLATE_ID, ChallengeDecoder.BLOCK_LENGTH, "D");
        layout(ChallengeResponseDecoder.TEMPLATE_ID, ChallengeResponseDecoder.BLOCK_LENGTH, "DD");
        layout(SessionAcceptedDecoder.TEMPLATE_ID, SessionAcceptedDecoder.BLOCK_LENGTH, "");
        layout(SessionDeniedDecoder.TEMPLATE_ID, SessionDeniedDecoder.BLOCK_LENGTH, "");
        layout(RedirectDecoder.TEMPLATE_ID, RedirectDecoder.BLOCK_LENGTH, "DDD");
        // Version 1 Inputs end before ackedTick (added in version 2): the shorter block is still an Input.
        layout(InputDecoder.TEMPLATE_ID, InputDecoder.ackedTickEncodingOffset(), "");
        layout(SnapshotDecoder.TEMPLATE_ID, SnapshotDecoder.BLOCK_LENGTH, "GND");
        layout(AckDecoder.TEMPLATE_ID, AckDecoder.BLOCK_LENGTH, "");
        layout(HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH, "");
        layout(DisconnectDecoder.TEMPLATE_ID, DisconnectDecoder.BLOCK_LENGTH, "");
        layout(RequestDecoder.TEMPLATE_ID, RequestDecoder.BLOCK_LENGTH, "D");
        layout(ResponseDecoder.TEMPLATE_ID, ResponseDecoder.BLOCK_LENGTH, "D");
    }

    private static void layout(int templateId, int blockLength, String body) {
        LAYOUT[templateId] = body;
        BLOCK[templateId] = blockLength;
    }

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private int templateId = -1;

    /** Template id of the last datagram checked OK. */
    public int templateId() {
        return templateId;
    }

    public Result check(DirectBuffer buffer, int offset, int length) {
        templateId = -1;
        if (length < HEADER || offset < 0 || length > buffer.capacity() - offset) {
            return Result.TOO_SHORT;
        }
        if (length > ProtocolLimits.MAX_DATAGRAM_BYTES) {
            return Result.TOO_LONG;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID || header.version() < 1) {
            return Result.WRONG_SCHEMA;
        }
        int template = header.templateId();
        if (template >= LAYOUT.length || LAYOUT[template] == null) {
            return Result.UNKNOWN_TEMPLATE;
        }
        int block = header.blockLength();
        if (block < BLOCK[template]) {
            return Result.BAD_BLOCK_LENGTH;
        }
        int end = offset + length;
        int at = offset + HEADER + block;
        if (at > end) {
            return Result.TOO_SHORT;
        }
        String body = LAYOUT[template];
        for (int i = 0; i < body.length(); i++) {
            if (body.charAt(i) == 'N') {
                at = namedEntries(buffer, at, end);
                if (at < 0) {
                    return at == BAD_ENUM_AT ? Result.BAD_ENUM : Result.BAD_LENGTHS;
                }
            } else if (body.charAt(i) == 'D') {
                if (end - at < 2) {
                    return Result.BAD_LENGTHS;
                }
                int dataLength = buffer.getShort(at, LITTLE_ENDIAN) & 0xFFFF;
                at += 2;
                if (dataLength > end - at) {
                    return Result.BAD_LENGTHS;
                }
                at += dataLength;
            } else {
                if (end - at < 4) {
                    return Result.BAD_LENGTHS;
                }
                int entryLength = buffer.getShort(at, LITTLE_ENDIAN) & 0xFFFF;
                int entries = buffer.getShort(at + 2, LITTLE_ENDIAN) & 0xFFFF;
                at += 4;
                if (entryLength < SnapshotDecoder.DepartedDecoder.sbeBlockLength()
                        || (long) entryLength * entries > end - at) {
                    return Result.BAD_LENGTHS;
                }
                at += entryLength * entries;
            }
        }
        if (at != end) {
            return Result.BAD_LENGTHS;
        }
        if (!enumsKnown(buffer, offset + HEADER, template)) {
            return Result.BAD_ENUM;
        }
        templateId = template;
        return Result.OK;
    }

    private static final int BAD_LENGTHS_AT = -1;
    private static final int BAD_ENUM_AT = -2;

    /**
     * Walks the entered group at {@code at}: each entry's block (with a known EntityKind) and display name must lie
     * before {@code end}. Returns where the group ends, or BAD_LENGTHS_AT / BAD_ENUM_AT. At most one step per entry,
     * and every entry takes at least 2 bytes, so the work is bounded by the datagram's length.
     */
    private static int namedEntries(DirectBuffer buffer, int at, int end) {
        if (end - at < 4) {
            return BAD_LENGTHS_AT;
        }
        int entryLength = buffer.getShort(at, LITTLE_ENDIAN) & 0xFFFF;
        int entries = buffer.getShort(at + 2, LITTLE_ENDIAN) & 0xFFFF;
        at += 4;
        if (entryLength < SnapshotDecoder.EnteredDecoder.sbeBlockLength()) {
            return BAD_LENGTHS_AT;
        }
        for (int e = 0; e < entries; e++) {
            if (end - at < entryLength + 2) {
                return BAD_LENGTHS_AT;
            }
            if (!ENTITY_KINDS[buffer.getByte(at + SnapshotDecoder.EnteredDecoder.kindEncodingOffset()) & 0xFF]) {
                return BAD_ENUM_AT;
            }
            at += entryLength;
            int nameLength = buffer.getShort(at, LITTLE_ENDIAN) & 0xFFFF;
            at += 2;
            if (nameLength > end - at) {
                return BAD_LENGTHS_AT;
            }
            at += nameLength;
        }
        return at;
    }

    private static final boolean[] DENY_REASONS = new boolean[256];
    private static final boolean[] DISCONNECT_REASONS = new boolean[256];
    private static final boolean[] RESPONSE_STATUSES = new boolean[256];
    private static final boolean[] ENTITY_KINDS = new boolean[256];

    static {
        for (DenyReason r : DenyReason.values()) {
            DENY_REASONS[r.value() & 0xFF] = r != DenyReason.NULL_VAL;
        }
        for (DisconnectReason r : DisconnectReason.values()) {
            DISCONNECT_REASONS[r.value() & 0xFF] = r != DisconnectReason.NULL_VAL;
        }
        for (ResponseStatus r : ResponseStatus.values()) {
            RESPONSE_STATUSES[r.value() & 0xFF] = r != ResponseStatus.NULL_VAL;
        }
        for (EntityKind k : EntityKind.values()) {
            ENTITY_KINDS[k.value() & 0xFF] = k != EntityKind.NULL_VAL;
        }
    }

    /** The enum fields of the root block hold values this version defines (not the null value). */
    private static boolean enumsKnown(DirectBuffer buffer, int block, int template) {
        if (template == SessionDeniedDecoder.TEMPLATE_ID) {
            return DENY_REASONS[buffer.getByte(block + SessionDeniedDecoder.reasonEncodingOffset()) & 0xFF];
        }
        if (template == DisconnectDecoder.TEMPLATE_ID) {
            return DISCONNECT_REASONS[buffer.getByte(block + DisconnectDecoder.reasonEncodingOffset()) & 0xFF];
        }
        if (template == ResponseDecoder.TEMPLATE_ID) {
            return RESPONSE_STATUSES[buffer.getByte(block + ResponseDecoder.statusEncodingOffset()) & 0xFF];
        }
        return true;
    }
}

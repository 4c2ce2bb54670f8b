package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.sbe.AckDecoder;
import org.worldserver.protocol.sbe.AckEncoder;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.ChallengeEncoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseEncoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.ConnectRequestEncoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectDecoder;
import org.worldserver.protocol.sbe.DisconnectEncoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.EntityKind;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.HeartbeatEncoder;
import org.worldserver.protocol.sbe.InputDecoder;
import org.worldserver.protocol.sbe.InputEncoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.RedirectDecoder;
import org.worldserver.protocol.sbe.RedirectEncoder;
import org.worldserver.protocol.sbe.RequestDecoder;
import org.worldserver.protocol.sbe.RequestEncoder;
import org.worldserver.protocol.sbe.ResponseDecoder;
import org.worldserver.protocol.sbe.ResponseEncoder;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.protocol.sbe.SessionAcceptedDecoder;
import org.worldserver.protocol.sbe.SessionAcceptedEncoder;
import org.worldserver.protocol.sbe.SessionDeniedDecoder;
import org.worldserver.protocol.sbe.SessionDeniedEncoder;
import org.worldserver.protocol.sbe.SnapshotDecoder;
import org.worldserver.protocol.sbe.SnapshotEncoder;

/**
 * The decoders' fuzz test: whatever the bytes, {@link DatagramCheck} answers without an exception, and every
 * datagram it lets through is read completely by its generated decoder (every field, enum, group and data) within
 * the datagram's bounds. The buffers wrap exactly the datagram, with Agrona's bounds checks on, so a read outside
 * it throws and fails the test.
 */
class DatagramCheckTest {

    private final DatagramCheck check = new DatagramCheck();
    private final MessageHeaderEncoder headerOut = new MessageHeaderEncoder();

    /** One valid datagram of every message type, with random contents. */
    private List<byte[]> samples(Random random) {
        List<byte[]> all = new ArrayList<>();
        UnsafeBuffer b = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        byte[] token = bytes(random, random.nextInt(120));
        all.add(take(
                b,
                new ConnectRequestEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .protocolVersion(1)
                        .clientNonce(random.nextLong())
                        .putToken(token, 0, token.length)
                        .putPadding(new byte[40], 0, 40)
                        .encodedLength()));
        byte[] cookie = bytes(random, random.nextInt(64));
        all.add(take(
                b,
                new ChallengeEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .clientNonce(random.nextLong())
                        .putCookie(cookie, 0, cookie.length)
                        .encodedLength()));
        all.add(take(
                b,
                new ChallengeResponseEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .clientNonce(random.nextLong())
                        .putCookie(cookie, 0, cookie.length)
                        .putToken(token, 0, token.length)
                        .encodedLength()));
        all.add(take(
                b,
                new SessionAcceptedEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .entityId(random.nextInt())
                        .tickHz(20)
                        .serverTick(random.nextInt(1 << 30))
                        .serverTimeMicros(random.nextLong())
                        .encodedLength()));
        all.add(take(
                b,
                new SessionDeniedEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .clientNonce(random.nextLong())
                        .reason(DenyReason.TOKEN_EXPIRED)
                        .encodedLength()));
        all.add(take(
                b,
                new InputEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .sequence(random.nextInt(1 << 30))
                        .clientTimeMicros(random.nextLong())
                        .intentX((byte) random.nextInt())
                        .intentZ((byte) random.nextInt())
                        .focusYaw(random.nextInt(65536))
                        .encodedLength()));
        byte[] states = bytes(random, random.nextInt(300));
        int leaving = random.nextInt(20);
        SnapshotEncoder snapshot = new SnapshotEncoder()
                .wrapAndApplyHeader(b, 0, headerOut)
                .sessionId(random.nextLong())
                .serverTick(7)
                .serverTimeMicros(random.nextLong())
                .lastAppliedInput(3)
                .lastInputClientTimeMicros(random.nextLong())
                .baselineTick(5);
        SnapshotEncoder.DepartedEncoder departed = snapshot.departedCount(leaving);
        for (int i = 0; i < leaving; i++) {
            departed.next().entityId(random.nextInt());
        }
        int entering = random.nextInt(6);
        SnapshotEncoder.EnteredEncoder entered = snapshot.enteredCount(entering);
        for (int i = 0; i < entering; i++) {
            byte[] name = bytes(random, random.nextInt(40));
            entered.next().entityId(random.nextInt()).kind(EntityKind.AVATAR).putDisplayName(name, 0, name.length);
        }
        all.add(take(b, snapshot.putEntityStates(states, 0, states.length).encodedLength()));
        all.add(take(
                b,
                new AckEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .serverTick(9)
                        .encodedLength()));
        all.add(take(
                b,
                new HeartbeatEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .timeMicros(random.nextLong())
                        .encodedLength()));
        all.add(take(
                b,
                new DisconnectEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .reason(DisconnectReason.IDLE_TIMEOUT)
                        .encodedLength()));
        byte[] payload = bytes(random, random.nextInt(200));
        all.add(take(
                b,
                new RequestEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .requestId(random.nextLong())
                        .kind(3)
                        .putPayload(payload, 0, payload.length)
                        .encodedLength()));
        all.add(take(
                b,
                new ResponseEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .requestId(random.nextLong())
                        .status(ResponseStatus.CONFLICT)
                        .putPayload(payload, 0, payload.length)
                        .encodedLength()));
        byte[] endpoint = bytes(random, random.nextInt(40));
        all.add(take(
                b,
                new RedirectEncoder()
                        .wrapAndApplyHeader(b, 0, headerOut)
                        .sessionId(random.nextLong())
                        .clientNonce(random.nextLong())
                        .putEndpoint(endpoint, 0, endpoint.length)
                        .putReplyControl(endpoint, 0, endpoint.length)
                        .putToken(token, 0, token.length)
                        .encodedLength()));
        return all;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The header plus a message body of {@code bodyLength} bytes at the start of {@code b}. */
    private static byte[] take(MutableDirectBuffer b, int bodyLength) {
        byte[] datagram = new byte[MessageHeaderEncoder.ENCODED_LENGTH + bodyLength];
        b.getBytes(0, datagram);
        return datagram;
    }

    @Property(tries = 200)
    void shouldAcceptEveryWellFormedMessage(@ForAll long seed) {
        for (byte[] datagram : samples(new Random(seed))) {
            assertEquals(DatagramCheck.Result.OK, check.check(new UnsafeBuffer(datagram), 0, datagram.length));
            readCompletely(datagram);
        }
    }

    @Property(tries = 3000)
    void shouldSurviveArbitraryBytes(@ForAll @Size(max = 1300) byte[] bytes) {
        checkAndReadIfAccepted(bytes);
    }

    /** Valid messages with bytes flipped, cut short or extended: rejected, or read within bounds. */
    @Property(tries = 3000)
    void shouldSurviveDamagedMessages(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 11) int which, @ForAll @IntRange(max = 6) int flips) {
        Random random = new Random(seed);
        byte[] datagram = samples(random).get(which);
        for (int f = 0; f < flips; f++) {
            datagram[random.nextInt(datagram.length)] ^= (byte) (1 << random.nextInt(8));
        }
        switch (random.nextInt(3)) {
            case 0 -> datagram = java.util.Arrays.copyOf(datagram, random.nextInt(datagram.length + 1));
            case 1 -> datagram = java.util.Arrays.copyOf(datagram, datagram.length + 1 + random.nextInt(8));
            default -> {}
        }
        checkAndReadIfAccepted(datagram);
    }

    private void checkAndReadIfAccepted(byte[] datagram) {
        DatagramCheck.Result result = check.check(new UnsafeBuffer(datagram), 0, datagram.length);
        if (result == DatagramCheck.Result.OK) {
            readCompletely(datagram);
        }
    }

    @Test
    void shouldNameWhyADatagramIsRefused() {
        byte[] ack = samples(new Random(1)).get(7);
        assertEquals(DatagramCheck.Result.TOO_SHORT, check.check(new UnsafeBuffer(ack), 0, 5));
        assertEquals(DatagramCheck.Result.TOO_SHORT, check.check(new UnsafeBuffer(ack), 0, ack.length - 1));
        assertEquals(
                DatagramCheck.Result.TOO_LONG,
                check.check(new UnsafeBuffer(new byte[1300]), 0, ProtocolLimits.MAX_DATAGRAM_BYTES + 1));
        byte[] longer = java.util.Arrays.copyOf(ack, ack.length + 1);
        assertEquals(DatagramCheck.Result.BAD_LENGTHS, check.check(new UnsafeBuffer(longer), 0, longer.length));
        byte[] otherSchema = ack.clone();
        otherSchema[4] ^= 1;
        assertEquals(DatagramCheck.Result.WRONG_SCHEMA, check.check(new UnsafeBuffer(otherSchema), 0, ack.length));
        byte[] unknown = ack.clone();
        unknown[2] = 99;
        assertEquals(DatagramCheck.Result.UNKNOWN_TEMPLATE, check.check(new UnsafeBuffer(unknown), 0, ack.length));
        byte[] shortBlock = ack.clone();
        shortBlock[0] = 4;
        assertEquals(DatagramCheck.Result.BAD_BLOCK_LENGTH, check.check(new UnsafeBuffer(shortBlock), 0, ack.length));
        byte[] denied = samples(new Random(1)).get(4);
        denied[MessageHeaderDecoder.ENCODED_LENGTH + SessionDeniedDecoder.reasonEncodingOffset()] = 42;
        assertEquals(DatagramCheck.Result.BAD_ENUM, check.check(new UnsafeBuffer(denied), 0, denied.length));
        byte[] connect = samples(new Random(1)).get(0);
        connect[MessageHeaderDecoder.ENCODED_LENGTH + ConnectRequestDecoder.BLOCK_LENGTH + 1] = (byte) 0x7F;
        assertEquals(DatagramCheck.Result.BAD_LENGTHS, check.check(new UnsafeBuffer(connect), 0, connect.length));
        assertNotEquals(DatagramCheck.Result.OK, check.check(new UnsafeBuffer(new byte[0]), 0, 0));
    }

    @Test
    void shouldAcceptAVersionOneInputWithoutItsAckAndNothingShorter() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        int length = MessageHeaderEncoder.ENCODED_LENGTH
                + new InputEncoder()
                        .wrapAndApplyHeader(b, 0, new MessageHeaderEncoder())
                        .sessionId(5)
                        .sequence(9)
                        .focusYaw(100)
                        .encodedLength();
        // As a version 1 client writes it: the header says version 1 and the block ends before ackedTick.
        int v1Block = InputDecoder.ackedTickEncodingOffset();
        new MessageHeaderEncoder().wrap(b, 0).version(1).blockLength(v1Block);
        int v1Length = length - (InputDecoder.BLOCK_LENGTH - v1Block);
        assertEquals(DatagramCheck.Result.OK, check.check(b, 0, v1Length));
        InputDecoder read = new InputDecoder().wrapAndApplyHeader(b, 0, new MessageHeaderDecoder());
        assertEquals(9, read.sequence());
        assertEquals(InputDecoder.ackedTickNullValue(), read.ackedTick(), "no ack in a version 1 Input");
        new MessageHeaderEncoder().wrap(b, 0).blockLength(v1Block - 1);
        assertEquals(DatagramCheck.Result.BAD_BLOCK_LENGTH, check.check(b, 0, v1Length - 1));
    }

    /** Reads every part of an accepted datagram with its generated decoder; any out-of-bounds read throws. */
    private long readCompletely(byte[] datagram) {
        UnsafeBuffer b = new UnsafeBuffer(datagram);
        MessageHeaderDecoder h = new MessageHeaderDecoder();
        int template = check.templateId();
        long sink = 0;
        byte[] scratch = new byte[ProtocolLimits.MAX_DATAGRAM_BYTES];
        switch (template) {
            case ConnectRequestDecoder.TEMPLATE_ID -> {
                ConnectRequestDecoder d = new ConnectRequestDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.protocolVersion() + d.clientNonce() + d.getToken(scratch, 0, scratch.length);
                sink += d.getPadding(scratch, 0, scratch.length);
            }
            case ChallengeDecoder.TEMPLATE_ID -> {
                ChallengeDecoder d = new ChallengeDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.clientNonce() + d.getCookie(scratch, 0, scratch.length);
            }
            case ChallengeResponseDecoder.TEMPLATE_ID -> {
                ChallengeResponseDecoder d = new ChallengeResponseDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.clientNonce() + d.getCookie(scratch, 0, scratch.length);
                sink += d.getToken(scratch, 0, scratch.length);
            }
            case SessionAcceptedDecoder.TEMPLATE_ID -> {
                SessionAcceptedDecoder d = new SessionAcceptedDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.entityId() + d.tickHz() + d.serverTick() + d.serverTimeMicros();
            }
            case SessionDeniedDecoder.TEMPLATE_ID -> {
                SessionDeniedDecoder d = new SessionDeniedDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.clientNonce() + d.reason().ordinal();
            }
            case RedirectDecoder.TEMPLATE_ID -> {
                RedirectDecoder d = new RedirectDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.clientNonce() + d.getEndpoint(scratch, 0, scratch.length);
                sink += d.getReplyControl(scratch, 0, scratch.length);
                sink += d.getToken(scratch, 0, scratch.length);
            }
            case InputDecoder.TEMPLATE_ID -> {
                InputDecoder d = new InputDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.sequence() + d.clientTimeMicros() + d.intentX() + d.intentZ() + d.focusYaw();
            }
            case SnapshotDecoder.TEMPLATE_ID -> {
                SnapshotDecoder d = new SnapshotDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.serverTick() + d.serverTimeMicros() + d.lastAppliedInput();
                sink += d.lastInputClientTimeMicros() + d.baselineTick();
                for (SnapshotDecoder.DepartedDecoder e : d.departed()) {
                    sink += e.entityId();
                }
                for (SnapshotDecoder.EnteredDecoder e : d.entered()) {
                    sink += e.entityId() + e.kind().ordinal() + e.getDisplayName(scratch, 0, scratch.length);
                }
                sink += d.getEntityStates(scratch, 0, scratch.length);
            }
            case AckDecoder.TEMPLATE_ID -> {
                AckDecoder d = new AckDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.serverTick();
            }
            case HeartbeatDecoder.TEMPLATE_ID -> {
                HeartbeatDecoder d = new HeartbeatDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.timeMicros();
            }
            case DisconnectDecoder.TEMPLATE_ID -> {
                DisconnectDecoder d = new DisconnectDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.reason().ordinal();
            }
            case RequestDecoder.TEMPLATE_ID -> {
                RequestDecoder d = new RequestDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.requestId() + d.kind() + d.getPayload(scratch, 0, scratch.length);
            }
            case ResponseDecoder.TEMPLATE_ID -> {
                ResponseDecoder d = new ResponseDecoder().wrapAndApplyHeader(b, 0, h);
                sink += d.sessionId() + d.requestId() + d.status().ordinal() + d.getPayload(scratch, 0, scratch.length);
            }
            default -> throw new AssertionError("accepted an unknown template " + template);
        }
        return sink;
    }
}

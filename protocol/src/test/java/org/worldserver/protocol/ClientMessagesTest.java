package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.sbe.AckDecoder;
import org.worldserver.protocol.sbe.ChallengeEncoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectDecoder;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.InputDecoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.SessionAcceptedEncoder;
import org.worldserver.protocol.sbe.SessionDeniedEncoder;

class ClientMessagesTest {

    private final ClientMessages messages = new ClientMessages();
    private final DatagramCheck check = new DatagramCheck();

    private int templateOf(int length) {
        assertEquals(DatagramCheck.Result.OK, check.check(messages.buffer(), 0, length));
        return check.templateId();
    }

    @Test
    void shouldWriteEveryClientMessageAsAValidDatagram() {
        byte[] token = new byte[70];
        assertEquals(ConnectRequestDecoder.TEMPLATE_ID, templateOf(messages.connectRequest(1L, token)));
        assertEquals(
                ChallengeResponseDecoder.TEMPLATE_ID,
                templateOf(messages.challengeResponse(1L, new byte[20], token, 0)));
        assertEquals(InputDecoder.TEMPLATE_ID, templateOf(messages.input(9L, 3, 100L, 0.5f, -1f, 0, 1, 0)));
        InputDecoder input = new InputDecoder().wrapAndApplyHeader(messages.buffer(), 0, new MessageHeaderDecoder());
        assertEquals(64, input.intentX());
        assertEquals(-127, input.intentZ());
        assertEquals(0, input.focusYaw(), "north");
        assertEquals(AckDecoder.TEMPLATE_ID, templateOf(messages.ack(9L, 12)));
        assertEquals(HeartbeatDecoder.TEMPLATE_ID, templateOf(messages.heartbeat(9L, 5L)));
        assertEquals(DisconnectDecoder.TEMPLATE_ID, templateOf(messages.disconnect(9L)));
    }

    @Test
    void shouldReadTheServersHandshakeAnswers() {
        UnsafeBuffer b = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        MessageHeaderEncoder h = new MessageHeaderEncoder();
        byte[] cookie = {1, 2, 3};
        int challenge = MessageHeaderEncoder.ENCODED_LENGTH
                + new ChallengeEncoder()
                        .wrapAndApplyHeader(b, 0, h)
                        .clientNonce(1L)
                        .putCookie(cookie, 0, 3)
                        .encodedLength();
        assertEquals(ClientMessages.Answer.CHALLENGE, messages.read(b, 0, challenge));
        assertArrayEquals(cookie, messages.cookie());
        int accepted = MessageHeaderEncoder.ENCODED_LENGTH
                + new SessionAcceptedEncoder()
                        .wrapAndApplyHeader(b, 0, h)
                        .sessionId(77L)
                        .entityId(5)
                        .tickHz(20)
                        .serverTick(1)
                        .serverTimeMicros(0)
                        .encodedLength();
        assertEquals(ClientMessages.Answer.ACCEPTED, messages.read(b, 0, accepted));
        assertEquals(77L, messages.sessionId());
        assertEquals(5, messages.entityId());
        int denied = MessageHeaderEncoder.ENCODED_LENGTH
                + new SessionDeniedEncoder()
                        .wrapAndApplyHeader(b, 0, h)
                        .clientNonce(1L)
                        .reason(DenyReason.TOKEN_EXPIRED)
                        .encodedLength();
        assertEquals(ClientMessages.Answer.DENIED, messages.read(b, 0, denied));
        assertEquals(DenyReason.TOKEN_EXPIRED, messages.denyReason());
        assertEquals(ClientMessages.Answer.OTHER, messages.read(new UnsafeBuffer(new byte[5]), 0, 5));
    }
}

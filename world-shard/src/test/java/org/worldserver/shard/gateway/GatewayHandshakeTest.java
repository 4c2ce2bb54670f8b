package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseEncoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.ConnectRequestEncoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;

class GatewayHandshakeTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final long NOW = 1_800_000_000_000L;

    private long now = NOW;
    private static final String ENDPOINT = "10.0.0.2:40134";
    private final GatewayHandshake handshake =
            new GatewayHandshake(KEY, ENDPOINT, new ChallengeCookies(KEY, 10_000), new TokenNonces(100), () -> now);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private final MessageHeaderEncoder headerOut = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
    private int length;

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private static byte[] token(long nonce, long expires, byte[] key) {
        return new ConnectToken("ada-0001", nonce, NOW - 1000, expires).sign(key);
    }

    private GatewayHandshake.Answer connect(int version, long nonce, byte[] token, InetSocketAddress from) {
        length = MessageHeaderEncoder.ENCODED_LENGTH
                + new ConnectRequestEncoder()
                        .wrapAndApplyHeader(buffer, 0, headerOut)
                        .protocolVersion(version)
                        .clientNonce(nonce)
                        .putToken(token, 0, token.length)
                        .putPadding(new byte[16], 0, 16)
                        .encodedLength();
        return handshake.onConnectRequest(
                new ConnectRequestDecoder().wrapAndApplyHeader(buffer, 0, headerIn), length, from);
    }

    private GatewayHandshake.Answer respond(long nonce, byte[] cookie, byte[] token, InetSocketAddress from) {
        return respond(nonce, cookie, token, from, 0);
    }

    private GatewayHandshake.Answer respond(
            long nonce, byte[] cookie, byte[] token, InetSocketAddress from, long resumeSession) {
        new ChallengeResponseEncoder()
                .wrapAndApplyHeader(buffer, 0, headerOut)
                .clientNonce(nonce)
                .resumeSessionId(resumeSession)
                .putCookie(cookie, 0, cookie.length)
                .putToken(token, 0, token.length);
        return handshake.onChallengeResponse(
                new ChallengeResponseDecoder().wrapAndApplyHeader(buffer, 0, headerIn), from);
    }

    @Test
    void shouldOpenOneSessionPerTokenForAClientThatProvesItsAddress() throws Exception {
        InetSocketAddress ada = at("127.0.0.9", 41_000);
        byte[] token = token(7L, NOW + 30_000, KEY);
        GatewayHandshake.Answer first = connect(ProtocolLimits.PROTOCOL_VERSION, 7L, token, ada);
        GatewayHandshake.Challenge challenge = assertInstanceOf(GatewayHandshake.Challenge.class, first);
        assertTrue(GatewayHandshake.CHALLENGE_BYTES <= length, "the challenge is not larger than the request");

        GatewayHandshake.Accept accept =
                assertInstanceOf(GatewayHandshake.Accept.class, respond(7L, challenge.cookie(), token, ada));
        assertEquals("ada-0001", accept.avatarId());
        assertEquals(
                new GatewayHandshake.Denied(7L, DenyReason.TOKEN_REPLAYED),
                respond(7L, challenge.cookie(), token, ada),
                "the same token cannot open a second session");
    }

    @Test
    void shouldLetTheTokenThatOpenedASessionResumeItFromANewAddressButNotAForgedOne() throws Exception {
        InetSocketAddress before = at("127.0.0.9", 41_000);
        InetSocketAddress after = at("127.0.0.9", 52_000); // the NAT gave the client another port
        byte[] token = token(11L, NOW + 30_000, KEY);
        GatewayHandshake.Challenge first = assertInstanceOf(
                GatewayHandshake.Challenge.class, connect(ProtocolLimits.PROTOCOL_VERSION, 11L, token, before));
        assertInstanceOf(GatewayHandshake.Accept.class, respond(11L, first.cookie(), token, before));

        GatewayHandshake.Challenge again = assertInstanceOf(
                GatewayHandshake.Challenge.class, connect(ProtocolLimits.PROTOCOL_VERSION, 11L, token, after));
        assertEquals(
                new GatewayHandshake.Resume("ada-0001", 11L, 5555L, NOW + 30_000, false),
                respond(11L, again.cookie(), token, after, 5555L),
                "the gateway checks that session 5555 is ada's");
        assertEquals(
                new GatewayHandshake.Denied(11L, DenyReason.CHALLENGE_FAILED),
                respond(11L, first.cookie(), token, after, 5555L),
                "a resume must prove its new address too");
        byte[] forged = token(11L, NOW + 30_000, "another key, thirty-two bytes!!!".getBytes());
        assertEquals(
                new GatewayHandshake.Denied(11L, DenyReason.TOKEN_INVALID),
                respond(11L, again.cookie(), forged, after, 5555L));
    }

    @Test
    void shouldTakeAHandoffTokenOnlyAtTheGatewayItIsForAndOnlyToAttach() throws Exception {
        InetSocketAddress ada = at("127.0.0.9", 43_000);
        GatewayHandshake elsewhere = new GatewayHandshake(
                KEY, "10.0.0.1:40132", new ChallengeCookies(KEY, 10_000), new TokenNonces(9), () -> now);
        byte[] handoff = elsewhere.issueHandoff("ada-0001", 21L, 30_000, ENDPOINT);
        GatewayHandshake.Challenge challenge = assertInstanceOf(
                GatewayHandshake.Challenge.class, connect(ProtocolLimits.PROTOCOL_VERSION, 21L, handoff, ada));
        GatewayHandshake.Resume attach =
                assertInstanceOf(GatewayHandshake.Resume.class, respond(21L, challenge.cookie(), handoff, ada, 777L));
        assertTrue(attach.handoff(), "a handoff token");
        assertEquals("ada-0001", attach.avatarId());
        assertEquals(TokenNonces.Use.FIRST, handshake.claim(attach));
        assertEquals(TokenNonces.Use.REPLAYED, handshake.claim(attach), "it attaches once");
        assertEquals(
                new GatewayHandshake.Denied(21L, DenyReason.TOKEN_INVALID),
                respond(21L, challenge.cookie(), handoff, ada),
                "a handoff token opens no new login");

        // For another gateway: forged here.
        byte[] forOther = elsewhere.issueHandoff("ada-0001", 22L, 30_000, "10.0.0.3:40136");
        assertEquals(
                new GatewayHandshake.Denied(22L, DenyReason.TOKEN_INVALID),
                connect(ProtocolLimits.PROTOCOL_VERSION, 22L, forOther, ada));
        // A login token naming a session is a plain resume, never a handoff.
        byte[] login = token(23L, NOW + 30_000, KEY);
        GatewayHandshake.Challenge again = assertInstanceOf(
                GatewayHandshake.Challenge.class, connect(ProtocolLimits.PROTOCOL_VERSION, 23L, login, ada));
        assertFalse(assertInstanceOf(GatewayHandshake.Resume.class, respond(23L, again.cookie(), login, ada, 777L))
                .handoff());
        // A gateway that takes no handoffs refuses the token as forged.
        GatewayHandshake none =
                new GatewayHandshake(KEY, null, new ChallengeCookies(KEY, 10_000), new TokenNonces(9), () -> now);
        new ConnectRequestEncoder()
                .wrapAndApplyHeader(buffer, 0, headerOut)
                .protocolVersion(ProtocolLimits.PROTOCOL_VERSION)
                .clientNonce(21L)
                .putToken(handoff, 0, handoff.length)
                .putPadding(new byte[16], 0, 16);
        assertEquals(
                new GatewayHandshake.Denied(21L, DenyReason.TOKEN_INVALID),
                none.onConnectRequest(new ConnectRequestDecoder().wrapAndApplyHeader(buffer, 0, headerIn), 200, ada));
    }

    @Test
    void shouldNotLetASpoofedSourceOpenASession() throws Exception {
        InetSocketAddress victim = at("127.0.0.9", 41_000);
        InetSocketAddress attacker = at("127.0.0.66", 41_000);
        byte[] token = token(8L, NOW + 30_000, KEY);
        // The attacker sends the request with the victim's address: the cookie goes to the victim, not to it.
        GatewayHandshake.Challenge toVictim = assertInstanceOf(
                GatewayHandshake.Challenge.class, connect(ProtocolLimits.PROTOCOL_VERSION, 8L, token, victim));
        // It cannot use a cookie it made up, nor one issued to another address.
        assertEquals(
                new GatewayHandshake.Denied(8L, DenyReason.CHALLENGE_FAILED),
                respond(8L, new byte[ChallengeCookies.COOKIE_BYTES], token, victim));
        assertEquals(
                new GatewayHandshake.Denied(8L, DenyReason.CHALLENGE_FAILED),
                respond(8L, toVictim.cookie(), token, attacker));
        now += 12_000;
        assertEquals(
                new GatewayHandshake.Denied(8L, DenyReason.CHALLENGE_FAILED),
                respond(8L, toVictim.cookie(), token, victim),
                "a stale cookie");
    }

    @Test
    void shouldDenyBadTokensAndVersionsWithTheirReasonAndNeverAnswerLargerThanAsked() throws Exception {
        InetSocketAddress ada = at("127.0.0.9", 41_000);
        byte[] forgedKey = "another key, thirty-two bytes!!!".getBytes();
        assertEquals(
                new GatewayHandshake.Denied(9L, DenyReason.TOKEN_INVALID),
                connect(ProtocolLimits.PROTOCOL_VERSION, 9L, token(9L, NOW + 30_000, forgedKey), ada));
        assertTrue(GatewayHandshake.DENIED_BYTES <= length);
        assertEquals(
                new GatewayHandshake.Denied(9L, DenyReason.TOKEN_EXPIRED),
                connect(ProtocolLimits.PROTOCOL_VERSION, 9L, token(9L, NOW - 1, KEY), ada));
        assertEquals(
                new GatewayHandshake.Denied(10L, DenyReason.TOKEN_INVALID),
                connect(ProtocolLimits.PROTOCOL_VERSION, 10L, token(9L, NOW + 30_000, KEY), ada),
                "a token for another nonce");
        assertEquals(
                new GatewayHandshake.Denied(9L, DenyReason.VERSION_UNSUPPORTED),
                connect(99, 9L, token(9L, NOW + 30_000, KEY), ada));
        assertEquals(
                new GatewayHandshake.Denied(9L, DenyReason.TOKEN_INVALID),
                connect(ProtocolLimits.PROTOCOL_VERSION, 9L, new byte[3], ada));
    }
}

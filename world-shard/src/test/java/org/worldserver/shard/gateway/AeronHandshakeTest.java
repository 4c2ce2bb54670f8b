package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.ChallengeEncoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseEncoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.ConnectRequestEncoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;

/**
 * The handshake's parts over real Aeron UDP on loopback, with two embedded media drivers (server and client): a
 * ConnectRequest with a connect token passes the datagram check and the token check, the server answers with a
 * cookie bound to the source address Aeron reports for the client's stream, and the echoed cookie verifies for
 * that address only. (The gateway that runs this for every client comes next in issue #4.)
 */
class AeronHandshakeTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private final LoopbackAeron loopback = new LoopbackAeron();
    private final Aeron server = loopback.server;
    private final Aeron client = loopback.client;

    @AfterEach
    void stop() {
        loopback.close();
    }

    private static void until(BooleanSupplier done, Runnable poll) {
        LoopbackAeron.until(done, poll);
    }

    private static void offer(Publication publication, DirectBuffer buffer, int length) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (publication.offer(buffer, 0, length) < 0) {
            assertTrue(System.nanoTime() < deadline, "could not send");
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldCarryTheHandshakeOverLoopbackAndBindTheCookieToTheClientsAddress() throws Exception {
        Subscription gateway = server.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1);
        until(() -> gateway.resolvedEndpoint() != null, () -> {});
        Subscription replies = client.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 2);
        until(() -> replies.resolvedEndpoint() != null, () -> {});
        Publication toGateway = client.addPublication("aeron:udp?endpoint=" + gateway.resolvedEndpoint(), 1);
        until(toGateway::isConnected, () -> {});

        // Client: a ConnectRequest with its token, padded to at least the size of a Challenge.
        long nonce = 0x5EEDL;
        byte[] token = new ConnectToken(
                        "ada-0001", nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(KEY);
        UnsafeBuffer out = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
        MessageHeaderEncoder header = new MessageHeaderEncoder();
        int connectLength = MessageHeaderEncoder.ENCODED_LENGTH
                + new ConnectRequestEncoder()
                        .wrapAndApplyHeader(out, 0, header)
                        .protocolVersion(ProtocolLimits.PROTOCOL_VERSION)
                        .clientNonce(nonce)
                        .putToken(token, 0, token.length)
                        .putPadding(new byte[64], 0, 64)
                        .encodedLength();
        offer(toGateway, out, connectLength);

        // Server: check, verify, answer with a cookie for the source Aeron reports.
        DatagramCheck check = new DatagramCheck();
        ChallengeCookies cookies = new ChallengeCookies(KEY, 10_000);
        AtomicReference<String> source = new AtomicReference<>();
        AtomicReference<byte[]> cookieSent = new AtomicReference<>();
        MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
        until(
                () -> cookieSent.get() != null,
                () -> gateway.poll(
                        (buffer, offset, length, h) -> {
                            assertEquals(DatagramCheck.Result.OK, check.check(buffer, offset, length));
                            assertEquals(ConnectRequestDecoder.TEMPLATE_ID, check.templateId());
                            ConnectRequestDecoder request =
                                    new ConnectRequestDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                            long clientNonce = request.clientNonce();
                            byte[] received = new byte[request.tokenLength()];
                            request.getToken(received, 0, received.length);
                            assertTrue(ConnectToken.verify(
                                            received, 0, received.length, KEY, clientNonce, System.currentTimeMillis())
                                    .ok());
                            source.set(gateway.imageBySessionId(h.sessionId()).sourceIdentity());
                            cookieSent.set(
                                    cookies.issue(address(source.get()), clientNonce, System.currentTimeMillis()));
                        },
                        10));
        assertNotNull(source.get());
        assertTrue(source.get().startsWith("127.0.0.1:"), source.get());

        Publication toClient = server.addPublication("aeron:udp?endpoint=" + replies.resolvedEndpoint(), 2);
        until(toClient::isConnected, () -> {});
        int challengeLength = MessageHeaderEncoder.ENCODED_LENGTH
                + new ChallengeEncoder()
                        .wrapAndApplyHeader(out, 0, header)
                        .clientNonce(nonce)
                        .putCookie(cookieSent.get(), 0, cookieSent.get().length)
                        .encodedLength();
        assertTrue(challengeLength <= connectLength, "no reply larger than the unauthenticated request");
        offer(toClient, out, challengeLength);

        // Client: echo the cookie.
        AtomicReference<byte[]> cookieReceived = new AtomicReference<>();
        until(
                () -> cookieReceived.get() != null,
                () -> replies.poll(
                        (buffer, offset, length, h) -> {
                            assertEquals(DatagramCheck.Result.OK, check.check(buffer, offset, length));
                            ChallengeDecoder challenge =
                                    new ChallengeDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                            byte[] cookie = new byte[challenge.cookieLength()];
                            challenge.getCookie(cookie, 0, cookie.length);
                            cookieReceived.set(cookie);
                        },
                        10));
        int responseLength = MessageHeaderEncoder.ENCODED_LENGTH
                + new ChallengeResponseEncoder()
                        .wrapAndApplyHeader(out, 0, header)
                        .clientNonce(nonce)
                        .putCookie(cookieReceived.get(), 0, cookieReceived.get().length)
                        .putToken(token, 0, token.length)
                        .encodedLength();
        offer(toGateway, out, responseLength);

        // Server: the echoed cookie verifies for the client's address, and for no other.
        AtomicReference<Boolean> verified = new AtomicReference<>();
        until(
                () -> verified.get() != null,
                () -> gateway.poll(
                        (buffer, offset, length, h) -> {
                            assertEquals(DatagramCheck.Result.OK, check.check(buffer, offset, length));
                            ChallengeResponseDecoder response =
                                    new ChallengeResponseDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                            byte[] cookie = new byte[response.cookieLength()];
                            response.getCookie(cookie, 0, cookie.length);
                            InetSocketAddress from = address(
                                    gateway.imageBySessionId(h.sessionId()).sourceIdentity());
                            verified.set(cookies.verify(cookie, from, nonce, System.currentTimeMillis()));
                            assertTrue(!cookies.verify(
                                    cookie,
                                    new InetSocketAddress(from.getAddress(), from.getPort() + 1),
                                    nonce,
                                    System.currentTimeMillis()));
                        },
                        10));
        assertTrue(verified.get());
    }

    private static InetSocketAddress address(String sourceIdentity) {
        return GatewayAgent.address(sourceIdentity);
    }
}

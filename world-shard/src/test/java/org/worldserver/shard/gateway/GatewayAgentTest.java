package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseEncoder;
import org.worldserver.protocol.sbe.ConnectRequestEncoder;
import org.worldserver.protocol.sbe.DisconnectEncoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.InputEncoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.SessionAcceptedDecoder;

/**
 * The gateway's receiver on real Aeron UDP (loopback, two media drivers), with a recording world: a client with a
 * valid token gets a session through the handshake, its inputs reach the world, and a replayed input, an input
 * for an unknown session, a greedy image and a forged token get nothing but a count.
 */
class GatewayAgentTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

    /** A world that places everyone as entity 42 and records what it is told. */
    private static final class RecordingWorld implements GatewayAgent.World {
        final List<String> inputs = new CopyOnWriteArrayList<>();
        final List<String> left = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Integer> place(String avatarId) {
            return CompletableFuture.completedFuture(42);
        }

        @Override
        public void input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {
            inputs.add(avatarId + "#" + sequence + "@" + Math.round(intentX * 100));
        }

        @Override
        public void left(String avatarId) {
            left.add(avatarId);
        }
    }

    private final LoopbackAeron loopback = new LoopbackAeron();
    private final Aeron server = loopback.server;
    private final Aeron client = loopback.client;
    private final RecordingWorld world = new RecordingWorld();
    private final String replyControl = "127.0.0.1:" + LoopbackAeron.freeUdpPort();
    private final GatewayAgent gateway = new GatewayAgent(
            server,
            new GatewayAgent.Settings("127.0.0.1:0", replyControl, 1, 2, 65536, 10, 60, 8, 10_000_000_000L, 20),
            new GatewayHandshake(
                    KEY, new ChallengeCookies(KEY, 10_000), new TokenNonces(100), System::currentTimeMillis),
            world);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private final MessageHeaderEncoder headerOut = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
    private final DatagramCheck check = new DatagramCheck();

    @AfterEach
    void stop() {
        gateway.onClose();
        loopback.close();
    }

    /** Runs the gateway's duty cycle and {@code step} until {@code done}, at most 10 s. */
    private void until(BooleanSupplier done, Runnable step) {
        LoopbackAeron.until(done, () -> {
            gateway.doWork();
            step.run();
        });
    }

    /** A client's two streams: replies on a response channel, requests naming it. */
    private record Client(Subscription replies, Publication requests) {}

    private Client connectClient() {
        until(() -> gateway.endpoint() != null, () -> {});
        Subscription replies = client.addSubscription("aeron:udp?control-mode=response|control=" + replyControl, 2);
        Publication requests = client.addPublication(
                "aeron:udp?endpoint=" + gateway.endpoint() + "|term-length=65536|response-correlation-id="
                        + replies.registrationId(),
                1);
        until(requests::isConnected, () -> {});
        return new Client(replies, requests);
    }

    /** Sends {@code out[0, length)} every 100 ms until {@code answered}. */
    private void repeat(Publication to, int length, BooleanSupplier answered, Runnable poll) {
        long[] nextSend = {0};
        until(answered, () -> {
            if (System.nanoTime() > nextSend[0]) {
                to.offer(out, 0, length);
                nextSend[0] = System.nanoTime() + 100_000_000L;
            }
            poll.run();
        });
    }

    @Test
    void shouldOpenASessionThroughTheHandshakeAndRouteItsInputsOnly() {
        Client c = connectClient();
        long nonce = 77L;
        byte[] token = new ConnectToken(
                        "ada-0001", nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(KEY);
        int connect = MessageHeaderEncoder.ENCODED_LENGTH
                + new ConnectRequestEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .protocolVersion(ProtocolLimits.PROTOCOL_VERSION)
                        .clientNonce(nonce)
                        .putToken(token, 0, token.length)
                        .putPadding(new byte[16], 0, 16)
                        .encodedLength();
        AtomicReference<byte[]> cookie = new AtomicReference<>();
        repeat(
                c.requests(),
                connect,
                () -> cookie.get() != null,
                () -> c.replies()
                        .poll(
                                (b, o, l, h) -> {
                                    assertEquals(DatagramCheck.Result.OK, check.check(b, o, l));
                                    ChallengeDecoder challenge =
                                            new ChallengeDecoder().wrapAndApplyHeader(b, o, headerIn);
                                    byte[] bytes = new byte[challenge.cookieLength()];
                                    challenge.getCookie(bytes, 0, bytes.length);
                                    cookie.set(bytes);
                                },
                                10));

        int response = MessageHeaderEncoder.ENCODED_LENGTH
                + new ChallengeResponseEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .clientNonce(nonce)
                        .putCookie(cookie.get(), 0, cookie.get().length)
                        .putToken(token, 0, token.length)
                        .encodedLength();
        long[] session = {0};
        int[] entity = {0};
        repeat(
                c.requests(),
                response,
                () -> session[0] != 0,
                () -> c.replies()
                        .poll(
                                (b, o, l, h) -> {
                                    assertEquals(DatagramCheck.Result.OK, check.check(b, o, l));
                                    if (check.templateId() == SessionAcceptedDecoder.TEMPLATE_ID) {
                                        SessionAcceptedDecoder accepted =
                                                new SessionAcceptedDecoder().wrapAndApplyHeader(b, o, headerIn);
                                        session[0] = accepted.sessionId();
                                        entity[0] = accepted.entityId();
                                    }
                                },
                                10));
        assertEquals(42, entity[0]);
        assertEquals(1, gateway.sessionCount());

        send(c, input(session[0], 1, 0.5f));
        until(() -> world.inputs.size() == 1, () -> {});
        assertEquals("ada-0001#1@50", world.inputs.get(0));
        send(c, input(session[0], 1, 0.5f)); // replayed
        send(c, input(session[0] ^ 1, 2, 0.5f)); // another session
        send(c, input(session[0], 2, -1f));
        until(() -> world.inputs.size() == 2, () -> {});
        assertEquals("ada-0001#2@-100", world.inputs.get(1));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.UNKNOWN_SESSION).get() == 1, () -> {});
        assertEquals(1, gateway.dropped().get(GatewayAgent.Drop.REPLAYED).get());

        int bye = MessageHeaderEncoder.ENCODED_LENGTH
                + new DisconnectEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .sessionId(session[0])
                        .reason(DisconnectReason.CLIENT_QUIT)
                        .encodedLength();
        send(c, bye);
        until(() -> world.left.size() == 1, () -> {});
        assertEquals(0, gateway.sessionCount());
    }

    @Test
    void shouldRejectAGreedyImageAndGiveAForgedTokenNothing() {
        Client c = connectClient();
        byte[] forged = new ConnectToken(
                        "eve-0001", 5L, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign("another key, thirty-two bytes!!!".getBytes());
        int connect = MessageHeaderEncoder.ENCODED_LENGTH
                + new ConnectRequestEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .protocolVersion(ProtocolLimits.PROTOCOL_VERSION)
                        .clientNonce(5L)
                        .putToken(forged, 0, forged.length)
                        .putPadding(new byte[16], 0, 16)
                        .encodedLength();
        send(c, connect);
        until(() -> gateway.dropped().get(GatewayAgent.Drop.HANDSHAKE).get() == 1, () -> {});
        assertEquals(0, c.replies().poll((b, o, l, h) -> {}, 10), "no reply stream for an invalid token");

        Publication greedy =
                client.addExclusivePublication("aeron:udp?endpoint=" + gateway.endpoint() + "|term-length=1048576", 1);
        until(() -> gateway.dropped().get(GatewayAgent.Drop.IMAGE_REJECTED).get() >= 1, () -> {});
        greedy.close();
        assertEquals(0, gateway.sessionCount());
    }

    private int input(long sessionId, int sequence, float intentX) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new InputEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .sessionId(sessionId)
                        .sequence(sequence)
                        .clientTimeMicros(0)
                        .intentX(Quantization.intent(intentX))
                        .intentZ((byte) 0)
                        .focusYaw(0)
                        .encodedLength();
    }

    private void send(Client c, int length) {
        until(() -> c.requests().offer(out, 0, length) > 0, () -> {});
    }
}

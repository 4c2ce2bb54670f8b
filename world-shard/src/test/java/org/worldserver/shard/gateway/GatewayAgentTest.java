package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ClientMessages;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.sbe.DenyReason;

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
            new GatewayAgent.Settings("127.0.0.1:0", replyControl, 1, 2, 65536, 10, 60, 8, 20, 10_000_000_000L, 20),
            new GatewayHandshake(
                    KEY, new ChallengeCookies(KEY, 10_000), new TokenNonces(100), System::currentTimeMillis),
            world,
            new SessionStreams());
    private final ClientMessages messages = new ClientMessages();

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

    /** Sends the client's buffer {@code [0, length)} every 100 ms until the gateway's answer is {@code wanted}. */
    private void handshakeStep(Client c, int length, ClientMessages.Answer wanted) {
        ClientMessages.Answer[] last = {null};
        long[] nextSend = {0};
        until(() -> last[0] == wanted, () -> {
            if (System.nanoTime() > nextSend[0]) {
                c.requests().offer(messages.buffer(), 0, length);
                nextSend[0] = System.nanoTime() + 100_000_000L;
            }
            c.replies().poll((b, o, l, h) -> last[0] = messages.read(b, o, l), 10);
        });
    }

    /** Both handshake steps with {@code token}: a Challenge, then {@code wanted} to the ChallengeResponse. */
    private void handshake(Client c, long nonce, byte[] token, long resumeSession, ClientMessages.Answer wanted) {
        handshakeStep(c, messages.connectRequest(nonce, token), ClientMessages.Answer.CHALLENGE);
        handshakeStep(c, messages.challengeResponse(nonce, messages.cookie(), token, resumeSession), wanted);
    }

    @Test
    void shouldOpenASessionThroughTheHandshakeAndRouteItsInputsOnly() {
        Client c = connectClient();
        long nonce = 77L;
        byte[] token = new ConnectToken(
                        "ada-0001", nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(KEY);
        handshake(c, nonce, token, 0, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();
        assertEquals(42, messages.entityId());
        assertEquals(1, gateway.sessionCount());
        // Its SessionAccepted lost, the client repeats the step: the same session again, not a refusal.
        byte[] cookie = messages.cookie();
        handshakeStep(c, messages.challengeResponse(nonce, cookie, token, 0), ClientMessages.Answer.ACCEPTED);
        assertEquals(session, messages.sessionId());
        assertEquals(1, gateway.sessionCount());
        // The same token from elsewhere opens nothing.
        Client copy = connectClient();
        handshake(copy, nonce, token, 0, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.TOKEN_REPLAYED, messages.denyReason());
        assertEquals(1, gateway.sessionCount());

        send(c, messages.input(session, 1, 0, 0.5f, 0, 0, 1));
        until(() -> world.inputs.size() == 1, () -> {});
        assertEquals("ada-0001#1@50", world.inputs.get(0));
        send(c, messages.input(session, 1, 0, 0.5f, 0, 0, 1)); // replayed
        send(c, messages.input(session ^ 1, 2, 0, 0.5f, 0, 0, 1)); // another session
        send(c, messages.input(session, 2, 0, -1f, 0, 0, 1));
        until(() -> world.inputs.size() == 2, () -> {});
        assertEquals("ada-0001#2@-100", world.inputs.get(1));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.UNKNOWN_SESSION).get() == 1, () -> {});
        assertEquals(1, gateway.dropped().get(GatewayAgent.Drop.REPLAYED).get());

        send(c, messages.disconnect(session));
        until(() -> world.left.size() == 1, () -> {});
        assertEquals(0, gateway.sessionCount());
    }

    @Test
    void shouldRejectAGreedyImageAndGiveAForgedTokenNothing() {
        Client c = connectClient();
        byte[] forged = new ConnectToken(
                        "eve-0001", 5L, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign("another key, thirty-two bytes!!!".getBytes());
        send(c, messages.connectRequest(5L, forged));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.HANDSHAKE).get() == 1, () -> {});
        assertEquals(0, c.replies().poll((b, o, l, h) -> {}, 10), "no reply stream for an invalid token");

        Publication greedy =
                client.addExclusivePublication("aeron:udp?endpoint=" + gateway.endpoint() + "|term-length=1048576", 1);
        until(() -> gateway.dropped().get(GatewayAgent.Drop.IMAGE_REJECTED).get() >= 1, () -> {});
        greedy.close();
        assertEquals(0, gateway.sessionCount());
    }

    @Test
    void shouldMoveASessionToTheClientsNewAddressOnResumeAndRefuseAnUnknownOne() {
        Client before = connectClient();
        long nonce = 78L;
        byte[] token = new ConnectToken(
                        "bea-0001", nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(KEY);
        handshake(before, nonce, token, 0, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();

        // The network changed: new sockets, a new source. The same token resumes the same session there.
        Client after = connectClient();
        handshake(after, nonce, token, session, ClientMessages.Answer.ACCEPTED);
        assertEquals(session, messages.sessionId(), "the same session");
        assertEquals(42, messages.entityId());
        assertEquals(1, gateway.sessionCount());
        assertEquals(List.of(), world.left, "the avatar never left the world");

        send(after, messages.input(session, 1, 0, 0.25f, 0, 0, 1));
        until(() -> world.inputs.size() == 1, () -> {});
        send(before, messages.input(session, 2, 0, 0.25f, 0, 0, 1));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.WRONG_SOURCE).get() == 1, () -> {});
        assertEquals(1, world.inputs.size(), "the old address no longer speaks for the session");

        handshake(after, nonce, token, session + 1, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, messages.denyReason());
    }

    private void send(Client c, int length) {
        until(() -> c.requests().offer(messages.buffer(), 0, length) > 0, () -> {});
    }
}

package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.ClientMessages;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.Requests;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.ResponseDecoder;
import org.worldserver.protocol.sbe.ResponseStatus;

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
        final List<String> teleports = new CopyOnWriteArrayList<>();
        /** What the world answers the next teleports, in order (completed by the test when it likes). */
        final Queue<CompletableFuture<Optional<String>>> teleportAnswers = new ConcurrentLinkedQueue<>();

        final List<String> assetRequests = new CopyOnWriteArrayList<>();
        /** What the world answers the next asset requests, in order; then OK {"asset": id}. */
        final Queue<GatewayAgent.Reply> assetAnswers = new ConcurrentLinkedQueue<>();

        @Override
        public CompletionStage<Integer> place(String avatarId) {
            return CompletableFuture.completedFuture(42);
        }

        @Override
        public void input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {
            inputs.add(avatarId + "#" + sequence + "@" + Math.round(intentX * 100));
        }

        @Override
        public void flushInputs(long nowNanos) {}

        @Override
        public CompletionStage<Optional<String>> teleport(String avatarId, float x, float y, float z) {
            teleports.add(avatarId + "@" + x + "," + y + "," + z);
            CompletableFuture<Optional<String>> answer = teleportAnswers.poll();
            return answer != null ? answer : CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<GatewayAgent.Reply> asset(
                String avatarId, String useId, AssetRequests.AssetRequest request) {
            assetRequests.add(avatarId + " " + useId + " " + request.kind() + " " + request.asset() + " "
                    + request.other() + " " + request.price());
            GatewayAgent.Reply answer = assetAnswers.poll();
            return CompletableFuture.completedFuture(
                    answer != null
                            ? answer
                            : new GatewayAgent.Reply(ResponseStatus.OK, "{\"asset\":\"" + request.asset() + "\"}"));
        }

        @Override
        public void left(String avatarId) {
            left.add(avatarId);
        }

        /** Avatars in the world, for handoffs: attached as entity 43; others are not in the world. */
        final List<String> present = new CopyOnWriteArrayList<>();

        final List<String> attached = new CopyOnWriteArrayList<>();
        final List<String> handedOff = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<Integer> attach(String avatarId) {
            attached.add(avatarId);
            return present.contains(avatarId)
                    ? CompletableFuture.completedFuture(43)
                    : CompletableFuture.failedFuture(new IllegalStateException(avatarId + " is not in the world"));
        }

        @Override
        public void handedOff(String avatarId) {
            handedOff.add(avatarId);
        }
    }

    private final LoopbackAeron loopback = new LoopbackAeron();
    private final Aeron server = loopback.server;
    private final Aeron client = loopback.client;
    private final RecordingWorld world = new RecordingWorld();
    private final SessionStreams streams = new SessionStreams();
    /** The gateway's endpoint as other gateways name it: handoff tokens are bound to it. */
    private static final String ENDPOINT = "gateway-under-test:40134";

    private final String replyControl = "127.0.0.1:" + LoopbackAeron.freeUdpPort();
    private final GatewayAgent gateway = new GatewayAgent(
            server,
            new GatewayAgent.Settings(
                    "127.0.0.1:0",
                    replyControl,
                    1,
                    2,
                    65536,
                    10,
                    60,
                    8,
                    20,
                    10_000_000_000L,
                    20,
                    SessionHandoffs.Settings.OFF,
                    30_000),
            new GatewayHandshake(
                    KEY, ENDPOINT, new ChallengeCookies(KEY, 10_000), new TokenNonces(100), System::currentTimeMillis),
            world,
            streams);
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

    /** A connect token for {@code avatar} and {@code nonce}, valid for 30 s, signed with the gateway's key. */
    private static byte[] token(String avatar, long nonce) {
        return new ConnectToken(avatar, nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(KEY);
    }

    /** A handoff token for {@code avatar} and {@code nonce}, as another gateway issues it for this one. */
    private static byte[] handoffToken(String avatar, long nonce) {
        return new ConnectToken(avatar, nonce, System.currentTimeMillis(), System.currentTimeMillis() + 30_000)
                .sign(GatewayHandshake.handoffKey(KEY, ENDPOINT));
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
        byte[] token = token("ada-0001", nonce);
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

        send(c, messages.input(session, 1, 0, 0.5f, 0, 0, 1, 0));
        until(() -> world.inputs.size() == 1, () -> {});
        assertEquals("ada-0001#1@50", world.inputs.get(0));
        send(c, messages.input(session, 1, 0, 0.5f, 0, 0, 1, 0)); // replayed
        send(c, messages.input(session ^ 1, 2, 0, 0.5f, 0, 0, 1, 0)); // another session
        send(c, messages.input(session, 2, 0, -1f, 0, 0, 1, 0));
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
        byte[] token = token("bea-0001", nonce);
        handshake(before, nonce, token, 0, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();

        // The network changed: new sockets, a new source. The same token resumes the same session there.
        Client after = connectClient();
        handshake(after, nonce, token, session, ClientMessages.Answer.ACCEPTED);
        assertEquals(session, messages.sessionId(), "the same session");
        assertEquals(42, messages.entityId());
        assertEquals(1, gateway.sessionCount());
        assertEquals(List.of(), world.left, "the avatar never left the world");

        send(after, messages.input(session, 1, 0, 0.25f, 0, 0, 1, 0));
        until(() -> world.inputs.size() == 1, () -> {});
        send(before, messages.input(session, 2, 0, 0.25f, 0, 0, 1, 0));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.WRONG_SOURCE).get() == 1, () -> {});
        assertEquals(1, world.inputs.size(), "the old address no longer speaks for the session");

        handshake(after, nonce, token, session + 1, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, messages.denyReason());
    }

    @Test
    void shouldAttachASessionHandedOffFromAnotherGatewayOnceAndRefuseAnAvatarNotInTheWorld() {
        world.present.add("cyd-0001");
        Client c = connectClient();
        // A login token attaches nothing: only a handoff token for this gateway does.
        handshake(c, 89L, token("cyd-0001", 89L), 777L, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, messages.denyReason());
        assertEquals(List.of(), world.attached);
        long nonce = 90L;
        byte[] token = handoffToken("cyd-0001", nonce);
        // The client names its session at the gateway that redirected it (777, not open here).
        handshake(c, nonce, token, 777L, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();
        assertNotEquals(777L, session, "a session of this gateway's own");
        assertEquals(43, messages.entityId(), "the avatar where it is, not placed anew");
        assertEquals(List.of("cyd-0001"), world.attached);
        assertEquals(1, gateway.sessionCount());
        // Its acceptance lost, the client repeats the step: the same session again, attached once.
        byte[] cookie = messages.cookie();
        handshakeStep(c, messages.challengeResponse(nonce, cookie, token, 777L), ClientMessages.Answer.ACCEPTED);
        assertEquals(session, messages.sessionId());
        assertEquals(1, world.attached.size());
        // The same token from elsewhere opens nothing.
        Client copy = connectClient();
        handshake(copy, nonce, token, 777L, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, messages.denyReason());
        // An avatar that is not in the world any more (its session ended meanwhile): refused, nobody logged out.
        Client late = connectClient();
        handshake(late, 91L, handoffToken("dan-0001", 91L), 778L, ClientMessages.Answer.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, messages.denyReason());
        assertEquals(List.of(), world.left);
        assertEquals(1, gateway.sessionCount());

        // Published (its stream opened) only once its client uses it: until then the other gateway keeps it.
        assertNull(streams.of("cyd-0001"));
        send(c, messages.input(session, 5, 0, 0.5f, 0, 0, 1, 0));
        until(() -> world.inputs.size() == 1, () -> {});
        assertNotNull(streams.of("cyd-0001"));
        assertEquals("cyd-0001#5@50", world.inputs.get(0));
        send(c, messages.disconnect(session));
        until(() -> world.left.size() == 1, () -> {});
        assertEquals(List.of("cyd-0001"), world.left, "the attached session ends as any other: a logout");
    }

    @Test
    void shouldCloseAHandedOffSessionItsClientNeverUsedWithoutALogout() {
        world.present.add("eli-0001");
        Client c = connectClient();
        handshake(c, 92L, handoffToken("eli-0001", 92L), 779L, ClientMessages.Answer.ACCEPTED);
        assertEquals(1, gateway.sessionCount());
        // The client gave up on this gateway and stayed where it was: nothing comes.
        long start = System.nanoTime();
        until(() -> gateway.sessionCount() == 0, () -> {});
        // It waited for the client first: the confirm time, less the moment between the acceptance and `start`.
        assertTrue(
                System.nanoTime() - start >= GatewayAgent.CONFIRM_NANOS - 1_000_000_000L,
                "it waited for the client first");
        assertEquals(List.of("eli-0001"), world.handedOff);
        assertEquals(List.of(), world.left, "the avatar's session is still open elsewhere");
        assertNull(streams.of("eli-0001"));
    }

    @Test
    void shouldExecuteEachRequestOnceAnswerItsRepeatsAndRefuseBadOnesWithStableCodes() {
        Client c = connectClient();
        long nonce = 79L;
        byte[] token = token("cyd-0001", nonce);
        handshake(c, nonce, token, 0, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();
        List<String> responses = new ArrayList<>();

        // Running: its repeats get nothing and execute nothing; once done, every repeat gets the same answer.
        CompletableFuture<Optional<String>> slow = new CompletableFuture<>();
        world.teleportAnswers.add(slow);
        send(c, messages.teleport(session, 5, 10, 0, 20));
        until(() -> world.teleports.size() == 1, () -> {});
        assertEquals("cyd-0001@10.0,0.0,20.0", world.teleports.get(0));
        send(c, messages.teleport(session, 5, 10, 0, 20));
        send(c, messages.request(session, 8, 99, new byte[12])); // answered at once, after the repeat was handled
        awaitResponses(c, responses, 1);
        slow.complete(Optional.empty());
        awaitResponses(c, responses, 2);
        send(c, messages.teleport(session, 5, 10, 0, 20));
        awaitResponses(c, responses, 3);
        assertEquals(List.of("8 BAD_REQUEST request-kind-unknown: 99", "5 OK ", "5 OK "), responses);
        assertEquals(1, world.teleports.size(), "executed once");

        world.teleportAnswers.add(CompletableFuture.completedFuture(Optional.of("region-teleport-refused: off")));
        send(c, messages.teleport(session, 6, 1, 0, 1));
        world.teleportAnswers.add(CompletableFuture.failedFuture(new IllegalStateException("ask timed out")));
        send(c, messages.teleport(session, 7, 2, 0, 2));
        send(c, messages.request(session, 9, Requests.TELEPORT, new byte[8]));
        UnsafeBuffer nan = new UnsafeBuffer(new byte[12]);
        Requests.putTeleport(nan, 0, 1, Float.NaN, 1);
        send(c, messages.request(session, 10, Requests.TELEPORT, nan.byteArray()));
        awaitResponses(c, responses, 7);
        assertEquals( // in any order: the world's answers come back through a queue
                Set.of(
                        "6 BAD_REQUEST region-teleport-refused: off",
                        "7 UNAVAILABLE world-unavailable: ask timed out",
                        "9 BAD_REQUEST request-malformed: a teleport is x, y, z: three finite float32, little-endian",
                        "10 BAD_REQUEST request-malformed: a teleport is x, y, z: three finite float32, little-endian"),
                Set.copyOf(responses.subList(3, 7)));
        assertEquals(3, world.teleports.size(), "the bad ones reached no world");

        // Over the rate (10 a second, bursts of 10): refused, answered, not executed.
        long burstStart = System.nanoTime();
        for (int id = 100; id < 130; id++) {
            send(c, messages.teleport(session, id, 1, 0, 1));
        }
        awaitResponses(c, responses, 37);
        double seconds = (System.nanoTime() - burstStart) / 1e9;
        long limited = responses.stream()
                .filter(r -> r.contains("UNAVAILABLE request-rate-limited: at most 10 requests a second"))
                .count();
        long executed = world.teleports.size() - 3;
        assertEquals(30, limited + executed, "every request answered once: " + responses);
        assertTrue(
                executed <= 10 + Math.ceil(seconds * 10),
                executed + " executed in " + seconds + " s, beyond the bucket");
        assertTrue(limited > 0, "nothing was refused");

        send(c, messages.teleport(session ^ 1, 200, 1, 0, 1));
        until(() -> gateway.dropped().get(GatewayAgent.Drop.UNKNOWN_SESSION).get() == 1, () -> {});
    }

    @Test
    void shouldDoAssetRequestsAsTheSessionsAvatarAndRefuseMalformedOnes() {
        Client c = connectClient();
        long nonce = 83L;
        handshake(c, nonce, token("dee-0002", nonce), 0, ClientMessages.Answer.ACCEPTED);
        long session = messages.sessionId();
        List<String> responses = new ArrayList<>();

        send(c, messages.request(session, 1, AssetRequests.BUY, AssetRequests.buy("lamp", "t1", 5_000_000)));
        awaitResponses(c, responses, 1);
        assertEquals("1 OK {\"asset\":\"lamp\"}", responses.get(0));
        String useId = "dee-0002-" + Long.toUnsignedString(session, 36) + "-1";
        assertEquals(List.of("dee-0002 " + useId + " 6 lamp t1 5000000"), world.assetRequests, "as the avatar");

        byte[] buy = AssetRequests.buy("lamp", "t2", 5_000_000);
        send(c, messages.request(session, 2, AssetRequests.BUY, Arrays.copyOf(buy, buy.length - 1)));
        send(c, messages.request(session, 3, AssetRequests.GET, new byte[] {3, 'a', (byte) 0xC3, 'b'}));
        byte[] get = AssetRequests.get("lamp");
        send(c, messages.request(session, 4, AssetRequests.GET, Arrays.copyOf(get, get.length + 1)));
        send(c, messages.request(session, 5, AssetRequests.PLACE, new byte[] {
            1, 'a', 1, 'p', 0, 0, (byte) 0xC0, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0
        }));
        world.assetAnswers.add(new GatewayAgent.Reply(ResponseStatus.CONFLICT, "asset-locked: lamp is in a trade"));
        send(c, messages.request(session, 6, AssetRequests.LIST, AssetRequests.list("lamp", 1)));
        world.assetAnswers.add(
                new GatewayAgent.Reply(ResponseStatus.OK, "x".repeat(AssetRequests.MAX_RESULT_BYTES + 1)));
        send(c, messages.request(session, 7, AssetRequests.GET, get));
        awaitResponses(c, responses, 7);
        String malformed = " BAD_REQUEST request-malformed: the payload does not fit asset request kind ";
        assertEquals(
                Set.of(
                        "2" + malformed + AssetRequests.BUY, // one byte short
                        "3" + malformed + AssetRequests.GET, // not UTF-8
                        "4" + malformed + AssetRequests.GET, // one byte too many
                        "5" + malformed + AssetRequests.PLACE, // a NaN coordinate
                        "6 CONFLICT asset-locked: lamp is in a trade",
                        "7 UNAVAILABLE result-too-large: done, but its result is over 1024 bytes"),
                Set.copyOf(responses.subList(1, 7)));
        assertEquals(3, world.assetRequests.size(), "the malformed ones reached no world");
    }

    /** Polls the client's replies until {@code responses} holds {@code count} "id STATUS message" lines. */
    private void awaitResponses(Client c, List<String> responses, int count) {
        ResponseDecoder decoder = new ResponseDecoder();
        MessageHeaderDecoder header = new MessageHeaderDecoder();
        until(
                () -> responses.size() >= count,
                () -> c.replies()
                        .poll(
                                (b, o, l, h) -> {
                                    header.wrap(b, o);
                                    if (header.templateId() == ResponseDecoder.TEMPLATE_ID) {
                                        decoder.wrapAndApplyHeader(b, o, header);
                                        byte[] message = new byte[decoder.payloadLength()];
                                        String line = decoder.requestId() + " " + decoder.status() + " ";
                                        decoder.getPayload(message, 0, message.length);
                                        responses.add(line + new String(message, StandardCharsets.UTF_8));
                                    }
                                },
                                10));
        assertEquals(count, responses.size(), "no more answers than asked: " + responses);
    }

    private void send(Client c, int length) {
        until(() -> c.requests().offer(messages.buffer(), 0, length) > 0, () -> {});
    }
}

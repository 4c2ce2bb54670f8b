package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.InputEncoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.ResponseStatus;

/**
 * The client session against {@link FakeGateway} on real Aeron UDP over loopback (a media driver for each side,
 * as client and server would run): handshake, snapshots applied and acknowledged, enter and leave events,
 * names, inputs for prediction, heartbeats, loss of the server and resume, refusals, timeouts, bad datagrams,
 * handoffs to another gateway (and back when that one does not answer), and two clients sharing one Aeron client.
 */
class WorldClientTest {

    private static final long NONCE = 99L;
    private static final int OWN = 7; // the fake gateway's first entity id

    private final MediaDriver serverDriver = launchDriver("server");
    private final MediaDriver clientDriver = launchDriver("client");
    private final Aeron serverAeron = connect(serverDriver);
    private final Aeron clientAeron = connect(clientDriver);
    private final String replyControl = "127.0.0.1:" + freeUdpPort();
    private final FakeGateway gateway = new FakeGateway(serverAeron, replyControl);
    /** A second gateway, as another node's, that takes handoffs. */
    private final FakeGateway next = new FakeGateway(serverAeron, "127.0.0.1:" + freeUdpPort());

    private final List<WorldClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(WorldClient::close);
        CloseHelper.closeAll(next, gateway, clientAeron, serverAeron, clientDriver, serverDriver);
    }

    /** Records what the client tells its listener, as text. */
    private static final class Recorder implements Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onConnected(long sessionId, int entityId, int tickHz) {
            events.add("connected " + entityId + " at " + tickHz + " Hz");
        }

        @Override
        public void onDenied(DenyReason reason) {
            events.add("denied " + reason);
        }

        @Override
        public void onSnapshot(int tick, EntityStates view) {
            events.add("snapshot " + tick + " of " + view.size());
        }

        @Override
        public void onEnter(int entityId, String nameOrNull) {
            events.add("enter " + entityId + " " + nameOrNull);
        }

        @Override
        public void onLeave(int entityId) {
            events.add("leave " + entityId);
        }

        @Override
        public void onEntityNamed(int entityId, String name) {
            events.add("named " + entityId + " " + name);
        }

        @Override
        public void onInputApplied(int sequence, long rttMicros) {
            events.add(
                    "applied " + sequence + (rttMicros >= 0 && rttMicros < 10_000_000 ? "" : " bad rtt " + rttMicros));
        }

        @Override
        public void onDisconnected(DisconnectReason reason) {
            events.add("disconnected " + reason);
        }

        @Override
        public void onLost() {
            events.add("lost");
        }

        @Override
        public void onHandoff(String endpoint, boolean ok) {
            events.add("handoff to " + endpoint + (ok ? " done" : " failed"));
        }

        @Override
        public void onResponse(long requestId, ResponseStatus status, String message) {
            events.add("response " + requestId + " " + status + " " + message);
        }

        /** The events since the last call. */
        List<String> take() {
            List<String> taken = new ArrayList<>(events);
            events.clear();
            return taken;
        }
    }

    private final Recorder recorder = new Recorder();

    @Test
    void shouldConnectSyncSnapshotsReportEntersAndLeavesAndResumeTheSameSession() {
        WorldClient client = client(gateway.endpoint(), recorder, Duration.ofSeconds(5));
        client.connect(FakeGateway.GOOD_TOKEN, NONCE);
        assertEquals(WorldClient.State.CONNECTING, client.state());
        until(() -> client.state() == WorldClient.State.CONNECTED);
        FakeGateway.Session session = gateway.session(client.sessionId());
        assertEquals(OWN, client.entityId());
        assertEquals(FakeGateway.TICK_HZ, client.tickHz());
        assertEquals(List.of("connected 7 at 20 Hz"), recorder.take());

        // Names travel with an entity's first state; the client's own entity is never reported.
        gateway.name(20, "ada");
        int tick = gateway.snapshot(session, 1_000_000, states(OWN, 500, 20, 100, 21, -300), id -> true, 0);
        until(() -> session.acks.contains(tick));
        assertEquals(List.of("enter 20 ada", "enter 21 null", "snapshot 1 of 3"), recorder.take());
        assertEquals(Set.of(20, 21), client.entitiesSeen());
        assertEquals(500, client.view().x(client.ownIndex()));

        // A whole snapshot (another region) names its entities again: a new name is reported as such.
        gateway.name(21, "crate");
        gateway.restart(session);
        int tick2 = gateway.snapshot(session, 1_050_000, states(OWN, 500, 20, 100, 21, -300), id -> true, 0);
        until(() -> session.acks.contains(tick2));
        assertEquals(List.of("named 21 crate", "snapshot 2 of 3"), recorder.take());
        assertEquals("crate", client.name(21));

        // Inputs: the server applied the first; the second is pending for prediction.
        long now = System.nanoTime();
        assertEquals(1, client.sendInput(0.5f, -1f, 1, 0, now));
        assertEquals(2, client.sendInput(0.25f, 0, 0, 1, now + 1_000));
        until(() -> session.inputs.size() == 2);
        assertEquals(now / 1000, (long) session.inputs.get(1));
        int tick3 = gateway.snapshot(session, 1_100_000, states(20, 300), id -> id != 21, 1);
        until(() -> session.acks.contains(tick3));
        assertEquals(List.of("leave 21", "applied 1", "snapshot 3 of 2"), recorder.take());
        assertEquals(1, client.lastAppliedInput());
        List<String> pending = new ArrayList<>();
        assertEquals(1, client.forEachPendingInput((seq, time, ix, iz, fx, fz) -> pending.add(seq + ":" + ix)));
        assertEquals(List.of("2:" + Quantization.intentFraction(Quantization.intent(0.25f))), pending);
        assertEquals(session.composer.view(tick3), client.view());

        // Interpolation between the last two snapshots' states, in server time.
        float[] position = new float[3];
        assertTrue(client.interpolation().sample(20, 1_075_000, position));
        assertEquals(2f, position[0], 1e-5f);
        assertTrue(client.serverClock().synced());

        // Quiet: a heartbeat goes out and its echo gives the round trip.
        until(() -> client.lastHeartbeatRttMicros() >= 0);
        assertTrue(client.lastHeartbeatRttMicros() < 5_000_000);

        // The replies stop: the client notices, and resumes the session from new streams.
        gateway.silence(session);
        until(() -> client.state() == WorldClient.State.LOST);
        assertEquals(List.of("lost"), recorder.take());
        long sessionId = client.sessionId();
        client.resume();
        until(() -> client.state() == WorldClient.State.CONNECTED);
        assertEquals(sessionId, client.sessionId());
        assertEquals(1, session.resumes);
        assertEquals(2, gateway.acceptedImages.size());
        assertNotEquals(gateway.acceptedImages.get(0), gateway.acceptedImages.get(1), "a new image");
        assertEquals(List.of("connected 7 at 20 Hz"), recorder.take());

        // The views were kept: the server's next delta against the acknowledged baseline applies.
        int tick4 = gateway.snapshot(session, 1_150_000, states(20, 400, 22, 0), id -> true, 1);
        until(() -> session.acks.contains(tick4));
        assertEquals(List.of("enter 22 null", "snapshot 4 of 3"), recorder.take());
        assertEquals(session.composer.view(tick4), client.view());
        assertEquals(4, client.snapshotsReceived());
        assertEquals(0, client.dropped(WorldClient.Drop.MISSING_BASELINE));

        client.disconnect();
        assertEquals(WorldClient.State.CLOSED, client.state());
        until(() -> session.disconnected);
    }

    @Test
    void shouldCountWhatItDropsAndCloseWhenTheServerDisconnects() {
        WorldClient client = connected(recorder);
        FakeGateway.Session session = gateway.session(client.sessionId());
        int tick = gateway.snapshot(session, 1_000, states(30, 0), id -> true, 0);
        until(() -> session.acks.contains(tick));
        long datagrams = client.datagramsReceived();
        long bytes = client.bytesReceived();

        gateway.raw(session, gateway.lastSnapshot); // a duplicate
        gateway.raw(session, new byte[] {1, 2, 3}); // not a message
        byte[] damaged = gateway.lastSnapshot.clone();
        damaged[2] = 99; // an unknown template
        gateway.raw(session, damaged);
        byte[] input = new byte[MessageHeaderEncoder.ENCODED_LENGTH + InputEncoder.BLOCK_LENGTH];
        new InputEncoder()
                .wrapAndApplyHeader(new UnsafeBuffer(input), 0, new MessageHeaderEncoder())
                .sessionId(session.id);
        gateway.raw(session, input); // a client's message
        FakeGateway.Session other = new FakeGateway.Session(session.id + 1, 8);
        other.reply = session.reply;
        gateway.snapshot(other, 2_000, states(31, 0), id -> true, 0); // another session's
        until(() -> client.datagramsReceived() == datagrams + 5);

        assertEquals(1, client.dropped(WorldClient.Drop.STALE));
        assertEquals(2, client.dropped(WorldClient.Drop.INVALID));
        assertEquals(1, client.dropped(WorldClient.Drop.UNEXPECTED));
        assertEquals(1, client.dropped(WorldClient.Drop.WRONG_SESSION));
        assertEquals(1, client.snapshotsReceived());
        assertTrue(client.bytesReceived() > bytes);
        assertEquals(WorldClient.State.CONNECTED, client.state());

        gateway.disconnect(session, DisconnectReason.KICKED);
        until(() -> client.state() == WorldClient.State.CLOSED);
        assertEquals(DisconnectReason.KICKED, client.disconnectReason());
        assertTrue(recorder.events.contains("disconnected KICKED"));
        assertEquals(0, client.poll(System.nanoTime()), "a closed client does nothing");
    }

    @Test
    void shouldBeDeniedWhenTheServerRefusesTheTokenOrAResume() {
        WorldClient refused = client(gateway.endpoint(), recorder, Duration.ofSeconds(5));
        refused.connect("a forged token".getBytes(), NONCE);
        until(() -> refused.state() == WorldClient.State.DENIED);
        assertEquals(DenyReason.TOKEN_INVALID, refused.denyReason());
        assertEquals(List.of("denied TOKEN_INVALID"), recorder.take());

        WorldClient client = connected(recorder);
        gateway.forget(gateway.session(client.sessionId()));
        client.resume();
        until(() -> client.state() == WorldClient.State.DENIED);
        assertEquals(DenyReason.RESUME_REFUSED, client.denyReason());
    }

    @Test
    void shouldContinueAtTheGatewayARedirectNamesKeepingItsViewAndNeverFollowABadRedirect() {
        WorldClient client = connected(recorder);
        long before = client.sessionId();
        FakeGateway.Session session = gateway.session(before);
        gateway.name(20, "ada");
        int tick = gateway.snapshot(session, 1_000_000, states(OWN, 500, 20, 100), id -> true, 0);
        until(() -> session.acks.contains(tick));
        assertEquals(1, client.sendInput(0.5f, 0, 1, 0, System.nanoTime()));
        until(() -> session.inputs.size() == 1);
        recorder.take();

        // Dropped, never followed: another session's, an endpoint without a port, one that would add channel
        // parameters, a bad reply control, no token.
        next.attachHandoffs = true;
        String to = next.endpoint();
        gateway.redirect(before + 1, session, to, next.replyControl(), 5, FakeGateway.GOOD_TOKEN);
        gateway.redirect(before, session, "127.0.0.1", next.replyControl(), 5, FakeGateway.GOOD_TOKEN);
        gateway.redirect(before, session, to + "|ttl=0", next.replyControl(), 5, FakeGateway.GOOD_TOKEN);
        gateway.redirect(before, session, to, "127.0.0.1:", 5, FakeGateway.GOOD_TOKEN);
        gateway.redirect(before, session, to, next.replyControl(), 5, new byte[0]);
        until(() ->
                client.dropped(WorldClient.Drop.WRONG_SESSION) == 1 && client.dropped(WorldClient.Drop.INVALID) == 4);
        assertEquals(WorldClient.State.CONNECTED, client.state());
        assertEquals(gateway.endpoint(), client.endpoint());

        // Not while a request waits for its answer (the old gateway has it): the gateway repeats the Redirect.
        long teleport = client.teleport(1, 2, 3, System.nanoTime());
        until(() -> session.requests.size() == 1);
        gateway.redirect(before, session, to, next.replyControl(), 5, FakeGateway.GOOD_TOKEN);
        until(() -> client.dropped(WorldClient.Drop.UNEXPECTED) == 1);
        gateway.respond(session, teleport, ResponseStatus.OK, "");
        until(() -> client.pendingRequestCount() == 0);
        recorder.take();

        gateway.redirect(before, session, to, next.replyControl(), 5, FakeGateway.GOOD_TOKEN);
        until(() -> client.handoffs() == 1);
        assertEquals(WorldClient.State.CONNECTED, client.state());
        assertEquals(to, client.endpoint());
        assertNotEquals(before, client.sessionId(), "the new gateway's own session");
        assertEquals(List.of("handoff to " + to + " done", "connected 7 at 20 Hz"), recorder.take());
        FakeGateway.Session moved = next.session(client.sessionId());
        assertEquals(0, session.resumes, "nothing went back to the old gateway");

        // The new gateway's first snapshot is whole: diffed against the view kept, it raises no enter or leave.
        next.name(20, "ada");
        int first = next.snapshot(moved, 1_100_000, states(OWN, 520, 20, 150), id -> true, 0);
        until(() -> moved.acks.contains(first));
        assertEquals(List.of("snapshot 1 of 2"), recorder.take());
        assertEquals(150, client.view().x(client.view().indexOf(20)));
        // Inputs go on from where they were, to the new gateway.
        assertEquals(2, client.sendInput(0.5f, 0, 1, 0, System.nanoTime()));
        until(() -> moved.inputs.containsKey(2));
        assertEquals(1, session.inputs.size(), "the old gateway hears nothing more");
        assertEquals(0, client.handoffsFailed());
    }

    @Test
    void shouldStayConnectedWhereItIsWhileHandingOffAndWhenTheRedirectedGatewayDoesNotAnswer() {
        WorldClient client = connected(recorder);
        long sessionId = client.sessionId();
        FakeGateway.Session session = gateway.session(sessionId);
        recorder.take();
        String nowhere = "127.0.0.1:" + freeUdpPort();
        long start = System.nanoTime();
        gateway.redirect(sessionId, session, nowhere, "127.0.0.1:" + freeUdpPort(), 6, FakeGateway.GOOD_TOKEN);
        // Make before break: the session goes on at the old gateway meanwhile.
        until(() -> client.sendInput(0, 0.5f, 1, 0, System.nanoTime()) == 1);
        until(() -> session.inputs.containsKey(1));
        int tick = gateway.snapshot(session, 1_000_000, states(OWN, 0), id -> true, 1);
        until(() -> session.acks.contains(tick));
        assertEquals(WorldClient.State.CONNECTED, client.state());
        assertEquals(0, client.handoffsFailed(), "still trying");
        assertEquals(-1, client.teleport(1, 2, 3, System.nanoTime()), "no request while a handoff runs");

        until(() -> client.handoffsFailed() == 1);
        assertTrue(System.nanoTime() - start >= WorldClient.HANDOFF_UNANSWERED_NANOS, "waited for a Challenge first");
        assertEquals(WorldClient.State.CONNECTED, client.state());
        assertEquals(sessionId, client.sessionId(), "the same session, where it was");
        assertEquals(gateway.endpoint(), client.endpoint());
        assertEquals(0, session.resumes, "never left");
        assertEquals(0, client.handoffs());
        assertEquals(List.of("applied 1", "snapshot 1 of 1", "handoff to " + nowhere + " failed"), recorder.take());
        assertEquals(2, client.sendInput(0, 0.5f, 1, 0, System.nanoTime()));
        until(() -> session.inputs.containsKey(2));
    }

    @Test
    void shouldGiveUpTheHandshakeAfterItsTimeoutWhenNoServerAnswers() {
        WorldClient client = client("127.0.0.1:" + freeUdpPort(), recorder, Duration.ofMillis(300));
        long start = System.nanoTime();
        client.connect(FakeGateway.GOOD_TOKEN, NONCE);
        until(() -> client.state() == WorldClient.State.DENIED);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300));
        assertNull(client.denyReason());
        assertEquals(List.of("denied null"), recorder.take());
    }

    @Test
    void shouldRunTwoClientsOnOneAeronClientEachWithItsOwnSession() {
        Recorder second = new Recorder();
        WorldClient a = connected(recorder);
        WorldClient b = connected(second);
        assertNotEquals(a.sessionId(), b.sessionId());
        FakeGateway.Session sa = gateway.session(a.sessionId());
        FakeGateway.Session sb = gateway.session(b.sessionId());
        int ta = gateway.snapshot(sa, 1_000, states(100, 0), id -> true, 0);
        int tb = gateway.snapshot(sb, 1_000, states(200, 0, 201, 0), id -> true, 0);
        until(() -> sa.acks.contains(ta) && sb.acks.contains(tb));
        assertEquals(Set.of(100), a.entitiesSeen());
        assertEquals(Set.of(200, 201), b.entitiesSeen());
    }

    @Test
    void shouldRepeatARequestWithItsIdUntilAnsweredAndReportTheAnswerOnce() {
        WorldClient client = connected(recorder);
        FakeGateway.Session s = gateway.session(client.sessionId());
        assertEquals(
                -1,
                client(gateway.endpoint(), new Recorder(), Duration.ofSeconds(5))
                        .teleport(1, 2, 3, 0));

        long id = client.teleport(10.5f, 0, -3.25f, System.nanoTime());
        assertEquals(1, id);
        // Unanswered, it goes out again (50 ms retry here) with the same id and payload.
        until(() -> s.requests.size() >= 3);
        assertTrue(s.requests.stream().allMatch("1 1 10.5,0.0,-3.25"::equals), s.requests.toString());
        assertEquals(1, client.pendingRequestCount());

        gateway.respond(s, id, ResponseStatus.OK, "");
        gateway.respond(s, id, ResponseStatus.OK, ""); // the answer to a repeat: not reported again
        until(() -> client.dropped(WorldClient.Drop.UNEXPECTED) == 1);
        assertEquals(
                List.of("response 1 OK "),
                recorder.take().stream().filter(e -> e.startsWith("response")).toList());
        assertEquals(0, client.pendingRequestCount());

        long refused = client.teleport(5000, 0, 0, System.nanoTime());
        until(() -> s.requests.stream().anyMatch(r -> r.startsWith(refused + " ")));
        gateway.respond(s, refused, ResponseStatus.BAD_REQUEST, "region-teleport-refused: outside the region");
        until(() -> recorder.events.contains("response 2 BAD_REQUEST region-teleport-refused: outside the region"));
    }

    @Test
    void shouldAcknowledgeOnTheNextInputAndAloneOnlyWhenNoInputCameWithinTheAckDelay() {
        WorldClient client = connected(recorder);
        FakeGateway.Session s = gateway.session(client.sessionId());
        int first = gateway.snapshot(s, 1_000_000, states(OWN, 0), id -> true, 0);
        until(() -> client.snapshotsReceived() == 1);
        assertTrue(client.sendInput(1, 0, 1, 0, System.nanoTime()) > 0);
        until(() -> s.inputAcks.contains(first));
        int second = gateway.snapshot(s, 1_050_000, states(OWN, 10), id -> true, 0);
        // No input follows: an Ack of its own once the delay (20 ms here) is over.
        until(() -> s.acks.contains(second));
        assertEquals(List.of(second), s.acks, "the first rode on the input, only the second went alone");
    }

    @Test
    void shouldGiveUpARequestNobodyAnswersAfterItsTimeout() {
        WorldClient client = connected(recorder);
        long sent = System.nanoTime();
        long id = client.teleport(1, 0, 1, sent);
        until(() -> client.pendingRequestCount() == 0);
        assertTrue(System.nanoTime() - sent >= Duration.ofMillis(600).toNanos(), "given up before its timeout");
        assertEquals(
                List.of("response " + id + " UNAVAILABLE request-timed-out: no answer in 600 ms"),
                recorder.take().stream().filter(e -> e.startsWith("response")).toList());
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private WorldClient client(String serverEndpoint, Listener listener, Duration handshakeTimeout) {
        WorldClient client = new WorldClient(
                clientAeron,
                new ClientSettings(
                        serverEndpoint,
                        replyControl,
                        65536,
                        8,
                        Duration.ofMillis(50),
                        handshakeTimeout,
                        Duration.ofMillis(100),
                        Duration.ofMillis(400),
                        Duration.ofMillis(100),
                        Duration.ofMillis(50),
                        Duration.ofMillis(600),
                        Duration.ofMillis(20)),
                listener);
        clients.add(client);
        return client;
    }

    private WorldClient connected(Recorder listener) {
        WorldClient client = client(gateway.endpoint(), listener, Duration.ofSeconds(5));
        client.connect(FakeGateway.GOOD_TOKEN, NONCE);
        until(() -> client.state() == WorldClient.State.CONNECTED);
        listener.take();
        return client;
    }

    /** Entity states at (x, 0, 0) cm: pairs of entity id and x, ids increasing. */
    private static EntityStates states(int... idAndX) {
        EntityStates states = new EntityStates(4);
        for (int i = 0; i < idAndX.length; i += 2) {
            states.add(idAndX[i], idAndX[i + 1], 0, 0, 0, 0, 0);
        }
        return states;
    }

    /** One round of everyone's work. */
    private void pump() {
        gateway.work();
        next.work();
        long now = System.nanoTime();
        for (WorldClient c : clients) {
            c.poll(now);
        }
    }

    /** Pumps until {@code done}, at most 10 s (loopback round trips take milliseconds). */
    private void until(BooleanSupplier done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            pump();
            Thread.onSpinWait();
        }
    }

    /** A media driver in a directory of its own under /dev/shm, deleted on start and on close. */
    static MediaDriver launchDriver(String role) {
        File shm = new File("/dev/shm");
        File base = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(new File(base, "world-aeron-sdk-test-" + role + "-" + UUID.randomUUID()).getPath())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(100)))
                .publicationTermBufferLength(65536)
                .ipcTermBufferLength(65536)
                .termBufferSparseFile(true));
    }

    private static Aeron connect(MediaDriver driver) {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    /** A UDP port free on loopback right now. */
    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

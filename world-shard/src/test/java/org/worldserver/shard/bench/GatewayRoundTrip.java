package org.worldserver.shard.bench;

import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.ClientMessages;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.shard.gateway.ChallengeCookies;
import org.worldserver.shard.gateway.GatewayAgent;
import org.worldserver.shard.gateway.GatewayDriver;
import org.worldserver.shard.gateway.GatewayHandshake;
import org.worldserver.shard.gateway.SessionHandoffs;
import org.worldserver.shard.gateway.SessionStreams;
import org.worldserver.shard.gateway.TokenNonces;

/**
 * Client → server → client round trips on loopback, both measured in one run on the same two media drivers (one
 * for the server, one for the client, as two machines would have):
 *
 * <ul>
 *   <li><b>raw</b>: an Aeron echo, a subscription whose fragments an agent offers straight back on a publication:
 *       the floor any protocol on Aeron pays;
 *   <li><b>gateway</b>: a session's Heartbeat through the real {@link GatewayAgent} (datagram check, session
 *       lookup, source check, the echo on the session's response-channel reply stream).
 * </ul>
 *
 * Both server agents run on an {@link AgentRunner} with the same idle strategy (the node's default, backoff, unless
 * given); the client thread busy-polls. Prints percentiles in microseconds and the ratio. Bounded: a warm-up and
 * then {@code count} round trips each, one at a time; everything is closed and deleted at the end.
 *
 * <p>Run: {@code deploy/bench/round-trip.sh [count=20000] [idle-strategy=backoff]}.
 */
public final class GatewayRoundTrip {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final int WARM_UP = 5_000;
    /** An echo not back after this long is counted lost (both streams are unreliable, as the gateway's are). */
    private static final long LOST_AFTER_NANOS = 200_000_000L;

    private static final long[] RAW_LOST = {0};
    private static final long[] GATEWAY_LOST = {0};

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String idle = args.length > 1 ? args[1] : "backoff";
        String driverConfig = "dir = \"\", threading-mode = SHARED, idle-strategy = " + idle + ", term-length = 65536";
        try (GatewayDriver serverDriver = GatewayDriver.launch(
                        ConfigFactory.parseString(driverConfig),
                        GatewayDriver.defaultDirectory("rtt-server-" + UUID.randomUUID()));
                GatewayDriver clientDriver = GatewayDriver.launch(
                        ConfigFactory.parseString(driverConfig),
                        GatewayDriver.defaultDirectory("rtt-client-" + UUID.randomUUID()));
                Aeron server = Aeron.connect(new Aeron.Context().aeronDirectoryName(serverDriver.directory()));
                Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.directory()))) {
            Histogram raw = raw(server, client, idle, count);
            Histogram gateway = gateway(server, client, idle, count);
            System.out.printf(
                    "round trips on loopback, %d each, server idle strategy %s, µs:%n"
                            + "%-8s %8s %8s %8s %8s %8s %6s%n",
                    count, idle, "", "p50", "p90", "p99", "p99.9", "max", "lost");
            print("raw", raw, RAW_LOST[0]);
            print("gateway", gateway, GATEWAY_LOST[0]);
            System.out.printf(
                    "gateway / raw: p50 %.2f×, p99 %.2f×%n",
                    (double) gateway.getValueAtPercentile(50) / raw.getValueAtPercentile(50),
                    (double) gateway.getValueAtPercentile(99) / raw.getValueAtPercentile(99));
        }
    }

    private static void print(String name, Histogram h, long lost) {
        System.out.printf(
                "%-8s %8.1f %8.1f %8.1f %8.1f %8.1f %6d%n",
                name,
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0,
                lost);
    }

    /** Echoes every fragment of {@code in} on {@code out}. */
    private record Echo(Subscription in, Publication out) implements Agent {
        @Override
        public int doWork() {
            return in.poll(
                    (buffer, offset, length, header) -> {
                        while (out.offer(buffer, offset, length) < 0) {
                            Thread.onSpinWait();
                        }
                    },
                    16);
        }

        @Override
        public String roleName() {
            return "raw-echo";
        }
    }

    private static Histogram raw(Aeron server, Aeron client, String idle, int count) {
        int[] ports = FreePorts.udp(2);
        String toServer = "aeron:udp?endpoint=127.0.0.1:" + ports[0];
        String toClient = "aeron:udp?endpoint=127.0.0.1:" + ports[1];
        // Unreliable subscriptions, as the gateway's streams are.
        try (Subscription serverIn = server.addSubscription(toServer + "|reliable=false", 10);
                Publication serverOut = server.addPublication(toClient, 11);
                Subscription clientIn = client.addSubscription(toClient + "|reliable=false", 11);
                Publication clientOut = client.addPublication(toServer, 10);
                AgentRunner echo = new AgentRunner(
                        GatewayDriver.idleStrategy(idle),
                        Throwable::printStackTrace,
                        null,
                        new Echo(serverIn, serverOut))) {
            AgentRunner.startOnThread(echo);
            waitFor(() -> clientOut.isConnected() && serverOut.isConnected());
            // A heartbeat-sized message (the SBE header and a session id and a time).
            UnsafeBuffer message = new UnsafeBuffer(new byte[24]);
            long[] received = {0};
            FragmentHandler onEcho = (buffer, offset, length, header) -> received[0] = buffer.getLong(offset + 16);
            return measure(count, RAW_LOST, sent -> {
                message.putLong(16, sent);
                while (clientOut.offer(message, 0, message.capacity()) < 0) {
                    Thread.onSpinWait();
                }
                return awaitEcho(() -> received[0] == sent, () -> clientIn.poll(onEcho, 1));
            });
        }
    }

    /** A world that places everyone at once and ignores inputs: the round trip measures the gateway alone. */
    private static final class NoWorld implements GatewayAgent.World {
        @Override
        public CompletionStage<Integer> place(String avatarId) {
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public void input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {}

        @Override
        public void flushInputs(long nowNanos) {}

        @Override
        public CompletionStage<Optional<String>> teleport(String avatarId, float x, float y, float z) {
            return CompletableFuture.completedFuture(Optional.of("region-teleport-refused: no world"));
        }

        @Override
        public CompletionStage<GatewayAgent.Reply> asset(
                String avatarId, String useId, AssetRequests.AssetRequest request) {
            return CompletableFuture.completedFuture(
                    new GatewayAgent.Reply(ResponseStatus.NOT_FOUND, "asset-unknown: no world"));
        }

        @Override
        public CompletionStage<Integer> attach(String avatarId) {
            return CompletableFuture.completedFuture(1);
        }

        @Override
        public void left(String avatarId) {}

        @Override
        public void handedOff(String avatarId) {}
    }

    private static Histogram gateway(Aeron server, Aeron client, String idle, int count) {
        String replyControl = "127.0.0.1:" + FreePorts.udp(1)[0];
        GatewayAgent agent = new GatewayAgent(
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
                        60_000_000_000L,
                        20,
                        SessionHandoffs.Settings.OFF,
                        30_000),
                new GatewayHandshake(
                        KEY, null, new ChallengeCookies(KEY, 10_000), new TokenNonces(10), System::currentTimeMillis),
                new NoWorld(),
                new SessionStreams());
        try (AgentRunner runner =
                new AgentRunner(GatewayDriver.idleStrategy(idle), Throwable::printStackTrace, null, agent)) {
            AgentRunner.startOnThread(runner);
            waitFor(() -> agent.endpoint() != null);
            Subscription replies = client.addSubscription(
                    "aeron:udp?control-mode=response|control=" + replyControl + "|reliable=false", 2);
            Publication requests = client.addPublication(
                    "aeron:udp?endpoint=" + agent.endpoint() + "|term-length=65536|response-correlation-id="
                            + replies.registrationId(),
                    1);
            waitFor(requests::isConnected);
            ClientMessages messages = new ClientMessages();
            long nonce = 1L;
            byte[] token = new ConnectToken(
                            "rtt", nonce, System.currentTimeMillis(), System.currentTimeMillis() + 60_000)
                    .sign(KEY);
            handshake(
                    requests,
                    replies,
                    messages,
                    messages.connectRequest(nonce, token),
                    ClientMessages.Answer.CHALLENGE);
            handshake(
                    requests,
                    replies,
                    messages,
                    messages.challengeResponse(nonce, messages.cookie(), token, 0),
                    ClientMessages.Answer.ACCEPTED);
            long session = messages.sessionId();
            DatagramCheck check = new DatagramCheck();
            MessageHeaderDecoder header = new MessageHeaderDecoder();
            HeartbeatDecoder echo = new HeartbeatDecoder();
            long[] received = {0};
            FragmentHandler onEcho = (buffer, offset, length, h) -> {
                if (check.check(buffer, offset, length) == DatagramCheck.Result.OK
                        && check.templateId() == HeartbeatDecoder.TEMPLATE_ID) {
                    received[0] =
                            echo.wrapAndApplyHeader(buffer, offset, header).timeMicros();
                }
            };
            Histogram h = measure(count, GATEWAY_LOST, sent -> {
                int length = messages.heartbeat(session, sent);
                while (requests.offer(messages.buffer(), 0, length) < 0) {
                    Thread.onSpinWait();
                }
                return awaitEcho(() -> received[0] == sent, () -> replies.poll(onEcho, 1));
            });
            requests.close();
            replies.close();
            return h;
        } finally {
            agent.onClose();
        }
    }

    /** A round trip of {@code sent} (a unique number): false when its echo never came back (lost). */
    private interface RoundTrip {
        boolean run(long sent);
    }

    /** Polls until {@code back}, at most {@link #LOST_AFTER_NANOS}. */
    private static boolean awaitEcho(BooleanSupplier back, Runnable poll) {
        long giveUp = System.nanoTime() + LOST_AFTER_NANOS;
        while (!back.getAsBoolean()) {
            if (System.nanoTime() > giveUp) {
                return false;
            }
            poll.run();
        }
        return true;
    }

    /** Round-trip times in ns of the echoes that came back; {@code lost[0]} counts those that did not. */
    private static Histogram measure(int count, long[] lost, RoundTrip roundTrip) {
        Histogram h = new Histogram(1_000_000_000L, 3);
        for (int i = 0; i < WARM_UP + count; i++) {
            long start = System.nanoTime();
            boolean back = roundTrip.run(start);
            long took = System.nanoTime() - start;
            if (i >= WARM_UP) {
                if (back) {
                    h.recordValue(took);
                } else {
                    lost[0]++;
                }
            }
        }
        return h;
    }

    private static void handshake(
            Publication out, Subscription in, ClientMessages messages, int length, ClientMessages.Answer wanted) {
        ClientMessages.Answer[] last = {null};
        long next = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (last[0] != wanted) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + wanted + " from the gateway");
            }
            if (System.nanoTime() > next) {
                out.offer(messages.buffer(), 0, length);
                next = System.nanoTime() + 100_000_000L;
            }
            in.poll(
                    (DirectBuffer b, int o, int l, io.aeron.logbuffer.Header h) -> last[0] = messages.read(b, o, l),
                    10);
        }
    }

    private static void waitFor(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.onSpinWait();
        }
    }
}

package org.worldserver.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.protocol.client.ClientSettings;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;

/**
 * {@code bin/world client}: one avatar's session from the command line, through the client SDK. Registers the
 * avatar on first use (its key is kept in {@code --keys}), logs in over HTTP, connects over UDP, moves for {@code
 * --duration} seconds (inputs at 20 Hz: a random walk that turns every second, or standing still), disconnects,
 * and prints one JSON line: the avatar, its session, snapshots received, the avatars it saw, the last input the
 * server acknowledged, and input round trips (send → the snapshot that says it was applied: a network round trip
 * plus the wait for the server's next tick). Exit status 0 when it was connected and received snapshots, 1 otherwise (the JSON says why), 2 on bad
 * arguments.
 */
public final class ClientCommand {

    private static final long INPUT_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TURN_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What to run: parsed from the command line, or built directly (tests). */
    public record Options(String avatar, double durationSeconds, boolean move, URI http, Path keys) {

        /** @throws IllegalArgumentException with a message for the user, for any bad argument */
        public static Options parse(String[] args) {
            String avatar = null;
            double duration = 10;
            boolean move = true;
            URI http = URI.create("http://127.0.0.1:7626");
            Path keys = Path.of(".world", "keys");
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--avatar" -> avatar = required(args[i], value);
                    case "--duration" -> duration = seconds(required(args[i], value));
                    case "--move" -> {
                        String how = required(args[i], value);
                        if (!how.equals("random") && !how.equals("still")) {
                            throw new IllegalArgumentException("--move must be random or still, was " + how);
                        }
                        move = how.equals("random");
                    }
                    case "--http" -> http = URI.create(required(args[i], value));
                    case "--keys" -> keys = Path.of(required(args[i], value));
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
                i++;
            }
            if (avatar == null) {
                throw new IllegalArgumentException("--avatar ID is required");
            }
            if (!(duration > 0 && duration <= 86_400)) {
                throw new IllegalArgumentException("--duration must be 0 < seconds <= 86400, was " + duration);
            }
            return new Options(avatar, duration, move, http, keys);
        }

        private static double seconds(String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--duration must be a number of seconds, was " + value);
            }
        }

        private static String required(String flag, String value) {
            if (value == null) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return value;
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("world client: " + e.getMessage());
            System.err.println(
                    "usage: bin/world client --avatar ID [--duration SECONDS] [--move random|still] [--http URL] [--keys DIR]");
            System.exit(2);
            return;
        }
        ObjectNode result = run(options);
        System.out.println(new ObjectMapper().writeValueAsString(result));
        System.exit(result.path("ok").asBoolean() ? 0 : 1);
    }

    /** Runs one session as {@code options} say and returns the JSON result. */
    public static ObjectNode run(Options options) throws Exception {
        LoginClient login = new LoginClient(options.http());
        Identities identities = new Identities(options.keys());
        Optional<byte[]> known = identities.seedOf(options.avatar());
        byte[] seed;
        if (known.isPresent()) {
            seed = known.get();
        } else {
            seed = SessionLogin.newIdentity()[0];
            login.register(options.avatar(), options.avatar(), seed, null);
            identities.store(options.avatar(), seed);
        }
        long nonce = new SecureRandom().nextLong();
        LoginClient.Grant grant = login.login(options.avatar(), seed, nonce);

        Histogram inputRtt = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
        Listener listener = new Listener() {
            @Override
            public void onInputApplied(int sequence, long rttMicros) {
                if (rttMicros > 0) {
                    inputRtt.recordValue(Math.min(rttMicros, inputRtt.getHighestTrackableValue()));
                }
            }
        };
        ClientSettings settings = ClientSettings.defaults(grant.serverEndpoint(), grant.replyControl());
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("avatar", options.avatar());
        try (ClientAeron aeron = new ClientAeron();
                WorldClient client = new WorldClient(aeron.aeron(), settings, listener)) {
            IdleStrategy idle = new BackoffIdleStrategy();
            Random random = new Random();
            client.connect(grant.token(), nonce);
            long start = System.nanoTime();
            while (client.state() != WorldClient.State.CONNECTED
                    && client.state() != WorldClient.State.DENIED
                    && System.nanoTime() - start < CONNECT_TIMEOUT_NANOS) {
                idle.idle(client.poll(System.nanoTime()));
            }
            long connectedAt = System.nanoTime();
            out.put("connect_ms", (connectedAt - start) / 1e6);
            long end = connectedAt + (long) (options.durationSeconds() * 1e9);
            long nextInput = connectedAt;
            long nextTurn = connectedAt;
            float intentX = 0;
            float intentZ = 0;
            float focusX = 0;
            float focusZ = 1; // north, while standing still
            while (client.state() == WorldClient.State.CONNECTED && System.nanoTime() < end) {
                long now = System.nanoTime();
                int work = client.poll(now);
                if (options.move() && now >= nextTurn) {
                    double angle = random.nextDouble() * 2 * Math.PI;
                    intentX = (float) Math.sin(angle);
                    intentZ = (float) Math.cos(angle);
                    focusX = intentX;
                    focusZ = intentZ;
                    nextTurn = now + TURN_PERIOD_NANOS;
                }
                if (now >= nextInput) {
                    client.sendInput(intentX, intentZ, focusX, focusZ, now);
                    nextInput += INPUT_PERIOD_NANOS;
                    work++;
                }
                idle.idle(work);
            }
            boolean wasConnected = client.sessionId() != 0;
            WorldClient.State finalState = client.state();
            out.put("state", finalState.name().toLowerCase());
            if (client.denyReason() != null) {
                out.put("deny_reason", client.denyReason().name());
            }
            if (finalState == WorldClient.State.CONNECTED) {
                client.disconnect();
            }
            out.put("session", Long.toUnsignedString(client.sessionId(), 16));
            out.put("entity", client.entityId());
            out.put("duration_s", (System.nanoTime() - connectedAt) / 1e9);
            out.put("snapshots_received", client.snapshotsReceived());
            ArrayNode seen = out.putArray("entities_seen");
            TreeSet<String> names = new TreeSet<>();
            for (int entity : client.entitiesSeen()) {
                String name = client.name(entity);
                names.add(name != null ? name : "#" + entity);
            }
            names.forEach(seen::add);
            out.put("last_acked_input", client.lastAppliedInput());
            out.put("bytes_received", client.bytesReceived());
            out.set("input_rtt_ms", percentiles(inputRtt));
            out.put("ok", wasConnected && client.snapshotsReceived() > 0);
        }
        return out;
    }

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode p = new ObjectMapper().createObjectNode();
        p.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            p.put("p50", h.getValueAtPercentile(50) / 1000.0);
            p.put("p99", h.getValueAtPercentile(99) / 1000.0);
            p.put("max", h.getMaxValue() / 1000.0);
        }
        return p;
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.protocol.client.ClientSettings;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.shard.gateway.GatewayDriver;

/**
 * State sync end to end on a whole node (real Cassandra, real Aeron UDP on loopback) through the client SDK: two
 * clients see each other, named, and each one's view of the other (and of itself) ends exactly at the server's
 * position of that avatar, quantised; with 10 % of the datagrams lost each way (Aeron's loss generators in the
 * clients' media driver) the views still converge.
 */
class StateSyncIT extends OneNodeIT {

    /** Drops each datagram with probability {@code rate}, counting what it dropped. */
    private static final class CountingLoss implements LossGenerator {
        private final double rate;
        private final Random random;
        final AtomicLong dropped = new AtomicLong();

        CountingLoss(double rate, long seed) {
            this.rate = rate;
            this.random = new Random(seed);
        }

        @Override
        public boolean shouldDropFrame(InetSocketAddress address, UnsafeBuffer buffer, int length) {
            boolean drop = random.nextDouble() < rate;
            if (drop) {
                dropped.incrementAndGet();
            }
            return drop;
        }
    }

    /** The clients' own media driver, losing {@code rate} of the data datagrams it sends and receives. */
    static final class ClientDriver implements AutoCloseable {
        final CountingLoss sendLoss;
        final CountingLoss receiveLoss;
        final MediaDriver driver;
        final Aeron aeron;

        ClientDriver(double rate) {
            sendLoss = new CountingLoss(rate, 1);
            receiveLoss = new CountingLoss(rate, 2);
            LossGenerator none = new CountingLoss(0, 3);
            driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(GatewayDriver.defaultDirectory("it-client-" + UUID.randomUUID()))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(ThreadingMode.SHARED)
                    .publicationTermBufferLength(65536)
                    .termBufferSparseFile(true)
                    .sendChannelEndpointSupplier((channel, status, context) ->
                            new DebugSendChannelEndpoint(channel, status, context, sendLoss, none))
                    .receiveChannelEndpointSupplier((channel, dispatcher, status, context) ->
                            new DebugReceiveChannelEndpoint(channel, dispatcher, status, context, receiveLoss, none)));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        }

        @Override
        public void close() {
            aeron.close();
            driver.close();
        }
    }

    /** A registered, logged-in avatar's client, connecting. */
    record Player(String id, WorldClient client) {}

    private static Player connect(ClientDriver driver, String id) throws Exception {
        return connect(node, driver, id);
    }

    /** Registers {@code id}, logs it in at {@code via} and starts connecting to the gateway the login names. */
    static Player connect(WorldNode via, ClientDriver driver, String id) throws Exception {
        return connect(via, driver, id, "lobby", new Listener() {});
    }

    /** {@link #connect(WorldNode, ClientDriver, String)} with a home region and a listener. */
    static Player connect(WorldNode via, ClientDriver driver, String id, String homeRegion, Listener listener)
            throws Exception {
        byte[][] identity = InProcessNode.registerAvatar(via, id, homeRegion);
        return logIn(via, driver, id, identity[0], listener);
    }

    /**
     * Logs the registered {@code id} in at {@code via} with its identity key's {@code seed} and starts connecting to
     * the gateway the login names.
     */
    static Player logIn(WorldNode via, ClientDriver driver, String id, byte[] seed, Listener listener)
            throws Exception {
        long nonce = new Random().nextLong();
        SessionLogin login = new SessionLogin(id, nonce, System.currentTimeMillis());
        HttpResponse<String> granted =
                InProcessNode.post(via, "/sessions", InProcessNode.loginBody(login, login.sign(seed)));
        assertEquals(201, granted.statusCode(), granted.body());
        JsonNode grant = new ObjectMapper().readTree(granted.body());
        String host = grant.get("host").asText();
        WorldClient client = new WorldClient(
                driver.aeron,
                ClientSettings.defaults(
                        host + ":" + grant.get("port").asInt(),
                        host + ":" + grant.get("replyPort").asInt()),
                listener);
        client.connect(ConnectToken.fromText(grant.get("token").asText()), nonce);
        return new Player(id, client);
    }

    /** Polls every client until {@code done}, at most {@code seconds}; {@code step} runs each round. */
    static void pollUntil(List<Player> players, int seconds, BooleanSupplier done, Runnable step) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out: " + describe(players));
            long now = System.nanoTime();
            for (Player p : players) {
                p.client().poll(now);
            }
            step.run();
            LockSupport.parkNanos(100_000);
        }
    }

    private static String describe(List<Player> players) {
        StringBuilder b = new StringBuilder();
        for (Player p : players) {
            WorldClient c = p.client();
            b.append(p.id())
                    .append(" entity ")
                    .append(c.entityId())
                    .append(' ')
                    .append(c.state())
                    .append(" snapshots ")
                    .append(c.snapshotsReceived())
                    .append(" datagrams ")
                    .append(c.datagramsReceived())
                    .append(" last input ")
                    .append(c.lastAppliedInput())
                    .append(" view ")
                    .append(c.view())
                    .append(" dropped ");
            for (WorldClient.Drop d : WorldClient.Drop.values()) {
                b.append(d).append('=').append(c.dropped(d)).append(' ');
            }
            b.append("; ");
        }
        return b.toString();
    }

    /** Where {@code viewer} sees entity {@code entity}: {x, y, z} in centimetres, or null if not in its view. */
    static int[] seenAt(WorldClient viewer, int entity) {
        EntityStates view = viewer.view();
        int i = view == null ? -1 : view.indexOf(entity);
        return i < 0 ? null : new int[] {view.x(i), view.y(i), view.z(i)};
    }

    /** The avatar's position in its cell, quantised: {x, y, z} in centimetres. */
    private static int[] serverPosition(String avatarId) throws Exception {
        JsonNode live = InProcessNode.getJson(node, "/avatars/" + avatarId).get("live");
        assertNotNull(live, "the avatar is in a cell");
        return new int[] {
            Quantization.position((float) live.get("x").asDouble()),
            Quantization.position((float) live.get("y").asDouble()),
            Quantization.position((float) live.get("z").asDouble())
        };
    }

    /**
     * Both players walk (each its own direction) for {@code walkMillis}, then stand still; returns once each one's
     * last input was applied and each sees the other exactly where the server has it.
     */
    private static void walkThenConverge(Player a, Player b, int walkMillis) throws Exception {
        List<Player> both = List.of(a, b);
        pollUntil(
                both,
                30,
                () -> a.client().state() == WorldClient.State.CONNECTED
                        && b.client().state() == WorldClient.State.CONNECTED
                        && seenAt(a.client(), b.client().entityId()) != null
                        && seenAt(b.client(), a.client().entityId()) != null,
                () -> {});
        int[] aStart = seenAt(b.client(), a.client().entityId());
        int[] bStart = seenAt(a.client(), b.client().entityId());

        long walkUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(walkMillis);
        long[] nextInput = {0};
        int[] lastSent = new int[2];
        pollUntil(both, 30, () -> System.nanoTime() > walkUntil, () -> {
            if (System.nanoTime() > nextInput[0]) {
                lastSent[0] = a.client().sendInput(1, 0, 1, 0, System.nanoTime()); // east
                lastSent[1] = b.client().sendInput(0, -1, 0, -1, System.nanoTime()); // south
                nextInput[0] = System.nanoTime() + 50_000_000L;
            }
        });
        // Stop, repeating the stop until the server has applied it (inputs may be lost).
        lastSent[0] = a.client().sendInput(0, 0, 1, 0, System.nanoTime());
        lastSent[1] = b.client().sendInput(0, 0, 0, -1, System.nanoTime());
        nextInput[0] = System.nanoTime() + 50_000_000L;
        assertTrue(lastSent[0] > 0 && lastSent[1] > 0, "the stops were sent");
        pollUntil(
                both,
                30,
                () -> a.client().lastAppliedInput() == lastSent[0] && b.client().lastAppliedInput() == lastSent[1],
                () -> {
                    if (System.nanoTime() > nextInput[0]) {
                        lastSent[0] = a.client().sendInput(0, 0, 1, 0, System.nanoTime());
                        lastSent[1] = b.client().sendInput(0, 0, 0, -1, System.nanoTime());
                        nextInput[0] = System.nanoTime() + 50_000_000L;
                    }
                });
        int[][] server = new int[2][];
        long[] nextCheck = {0};
        pollUntil(
                both,
                30,
                () -> server[0] != null
                        && java.util.Arrays.equals(
                                server[0], seenAt(b.client(), a.client().entityId()))
                        && java.util.Arrays.equals(
                                server[1], seenAt(a.client(), b.client().entityId()))
                        // and each its own avatar, to reconcile its prediction with
                        && java.util.Arrays.equals(
                                server[0], seenAt(a.client(), a.client().entityId()))
                        && java.util.Arrays.equals(
                                server[1], seenAt(b.client(), b.client().entityId())),
                () -> {
                    if (System.nanoTime() > nextCheck[0]) {
                        try {
                            server[0] = serverPosition(a.id());
                            server[1] = serverPosition(b.id());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        nextCheck[0] = System.nanoTime() + 200_000_000L;
                    }
                });
        assertTrue(
                server[0][0] - aStart[0] > 100,
                "a walked east more than a metre: " + server[0][0] + " vs " + aStart[0]);
        assertTrue(server[1][2] - bStart[2] < -100, "b walked south more than a metre");
        assertEquals(a.id(), b.client().name(a.client().entityId()), "named by its EntityEnter");
        assertEquals(b.id(), a.client().name(b.client().entityId()));
    }

    @Test
    void shouldShowTwoClientsEachOtherMovingToTheServersQuantisedPositions() throws Exception {
        try (ClientDriver driver = new ClientDriver(0)) {
            Player ada = connect(driver, "sync-ada-" + UUID.randomUUID());
            Player bob = connect(driver, "sync-bob-" + UUID.randomUUID());
            walkThenConverge(ada, bob, 1500);
            ada.client().close();
            bob.client().close();
        }
    }

    @Test
    void shouldTeleportAClientThatAsksWhereItsRegionAllowsAndRefuseWithAStableCodeElsewhere() throws Exception {
        String hop = "hop-" + Long.toHexString(new Random().nextLong() & 0xffffffL);
        HttpResponse<String> defined = InProcessNode.post(
                node,
                "/regions",
                "{\"name\": \"" + hop + "\", \"max\": [512, 32, 512], \"cell-size\": 128, \"teleport\": true}");
        assertEquals(201, defined.statusCode(), defined.body());
        List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        Listener recording = new Listener() {
            @Override
            public void onResponse(long requestId, ResponseStatus status, String message) {
                answers.add(requestId + " " + status + " " + message);
            }
        };
        try (ClientDriver driver = new ClientDriver(0)) {
            Player eve = connect(node, driver, "tp-eve-" + UUID.randomUUID(), hop, recording);
            Player fay = connect(node, driver, "tp-fay-" + UUID.randomUUID(), "lobby", recording);
            List<Player> both = List.of(eve, fay);
            pollUntil(
                    both,
                    30,
                    () -> seenAt(eve.client(), eve.client().entityId()) != null
                            && seenAt(fay.client(), fay.client().entityId()) != null,
                    () -> {});
            assertEquals(25600, seenAt(eve.client(), eve.client().entityId())[0], "spawned at the centre");
            int eveEntity = eve.client().entityId();

            // Into another cell (128 m cells; the spawn point is in cell (2, 2), the target in (0, 3)).
            long moved = eve.client().teleport(40.5f, 0, 460.25f, System.nanoTime());
            pollUntil(both, 30, () -> answers.size() == 1, () -> {});
            assertEquals(moved + " OK ", answers.get(0));
            int[] target = {Quantization.position(40.5f), 0, Quantization.position(460.25f)};
            pollUntil(
                    both,
                    30,
                    () -> java.util.Arrays.equals(
                            target, seenAt(eve.client(), eve.client().entityId())),
                    () -> {});
            assertTrue(java.util.Arrays.equals(target, serverPosition(eve.id())), "the server has it there too");

            long outside = eve.client().teleport(600, 0, 10, System.nanoTime());
            long forbidden = fay.client().teleport(10, 0, 10, System.nanoTime());
            pollUntil(both, 30, () -> answers.size() == 3, () -> {});
            assertTrue(
                    answers.contains(outside
                            + " BAD_REQUEST region-teleport-refused: destination is outside the region's bounds"),
                    answers.toString());
            assertTrue(
                    answers.contains(
                            forbidden + " BAD_REQUEST region-teleport-refused: this region does not allow teleports"),
                    answers.toString());
            assertTrue(java.util.Arrays.equals(target, serverPosition(eve.id())), "a refused teleport moves nothing");
            assertEquals(eveEntity, eve.client().entityId(), "the same entity after the jump");
            eve.client().close();
            fay.client().close();
        }
    }

    @Test
    void shouldConvergeWithTenPercentOfTheDatagramsLostEachWay() throws Exception {
        try (ClientDriver driver = new ClientDriver(0.10)) {
            Player cy = connect(driver, "lossy-cy-" + UUID.randomUUID());
            Player di = connect(driver, "lossy-di-" + UUID.randomUUID());
            walkThenConverge(cy, di, 3000);
            assertTrue(driver.receiveLoss.dropped.get() > 10, "snapshots were lost: " + driver.receiveLoss.dropped);
            assertTrue(driver.sendLoss.dropped.get() > 10, "inputs and acks were lost: " + driver.sendLoss.dropped);
            cy.client().close();
            di.client().close();
        }
    }
}

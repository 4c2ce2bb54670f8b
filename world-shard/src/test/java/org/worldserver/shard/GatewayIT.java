package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.ClientMessages;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.shard.gateway.GatewayDriver;

/**
 * A client's way in, end to end on a whole node with the real Cassandra and real Aeron UDP on loopback: it logs
 * in over HTTP with its identity key, gets a connect token, runs the UDP handshake through the node's gateway,
 * is placed in the world (its entity id in SessionAccepted), and its input reaches its avatar's cell (visible in
 * GET /avatars/{id} as the last applied input). Disconnecting logs it out.
 */
class GatewayIT extends OneNodeIT {

    private static void until(BooleanSupplier done, Runnable step) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            step.run();
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldLetAClientInThroughLoginAndHandshakeAndMoveItsAvatar() throws Exception {
        String id = "gw-" + UUID.randomUUID();
        byte[][] identity = InProcessNode.registerAvatar(node, id);
        long nonce = 4242L;
        SessionLogin login = new SessionLogin(id, nonce, System.currentTimeMillis());
        HttpResponse<String> granted =
                InProcessNode.post(node, "/sessions", InProcessNode.loginBody(login, login.sign(identity[0])));
        assertEquals(201, granted.statusCode(), granted.body());
        JsonNode grant = new ObjectMapper().readTree(granted.body());
        byte[] token = ConnectToken.fromText(grant.get("token").asText());
        String endpoint = grant.get("host").asText() + ":" + grant.get("port").asInt();
        String replies = "127.0.0.1:" + node.system().settings().config().getInt("world.gateway.reply-port");

        try (GatewayDriver driver = GatewayDriver.launch(
                        ConfigFactory.parseString(
                                "dir = \"\", threading-mode = SHARED, idle-strategy = sleeping, term-length = 65536"),
                        GatewayDriver.defaultDirectory("it-client-" + UUID.randomUUID()));
                Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory()))) {
            Subscription in = aeron.addSubscription("aeron:udp?control-mode=response|control=" + replies, 2);
            Publication out = aeron.addPublication(
                    "aeron:udp?endpoint=" + endpoint + "|term-length=65536|response-correlation-id="
                            + in.registrationId(),
                    1);
            until(out::isConnected, () -> {});
            ClientMessages messages = new ClientMessages();
            handshakeStep(out, in, messages, messages.connectRequest(nonce, token), ClientMessages.Answer.CHALLENGE);
            handshakeStep(
                    out,
                    in,
                    messages,
                    messages.challengeResponse(nonce, messages.cookie(), token, 0),
                    ClientMessages.Answer.ACCEPTED);
            long session = messages.sessionId();
            int entity = messages.entityId();
            assertTrue(entity >= 0, "placed in the world");

            // Placed: online in the lobby, in a cell, with the entity id the client was given.
            JsonNode placed = InProcessNode.getJson(node, "/avatars/" + id);
            assertTrue(placed.get("avatar").get("online").asBoolean(), placed.toString());
            assertEquals(entity, placed.get("live").get("entityId").asInt(), placed.toString());

            int input = messages.input(session, 5, 0, 0.5f, 0, 1, 0, 0);
            until(() -> out.offer(messages.buffer(), 0, input) > 0, () -> {});
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            JsonNode moved;
            do {
                Thread.sleep(100); // polling the HTTP API for a condition, with a deadline
                moved = InProcessNode.getJson(node, "/avatars/" + id);
            } while (moved.get("live").get("lastInput").asInt() != 5 && System.nanoTime() < deadline);
            assertEquals(5, moved.get("live").get("lastInput").asInt(), moved.toString());
            assertTrue(moved.get("live").get("vx").asDouble() > 0, "walking east: " + moved);

            int bye = messages.disconnect(session);
            until(() -> out.offer(messages.buffer(), 0, bye) > 0, () -> {});
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            JsonNode left;
            do {
                Thread.sleep(100); // polling the HTTP API for a condition, with a deadline
                left = InProcessNode.getJson(node, "/avatars/" + id);
            } while (left.get("avatar").get("online").asBoolean() && System.nanoTime() < deadline);
            assertFalse(left.get("avatar").get("online").asBoolean(), "logged out: " + left);

            // The gateway in /metrics: no session left, nothing dropped for this well-behaved client.
            String metrics = InProcessNode.getText(node, "/metrics");
            assertTrue(metrics.contains("\nworld_gateway_sessions 0.0\n"), metrics);
            assertTrue(metrics.contains("world_gateway_dropped_total{reason=\"malformed\"} 0.0"), metrics);
        }
    }

    /** Sends the client's buffer {@code [0, length)} every 200 ms until the node answers {@code wanted}. */
    private static void handshakeStep(
            Publication out, Subscription in, ClientMessages messages, int length, ClientMessages.Answer wanted) {
        ClientMessages.Answer[] last = {null};
        long[] next = {0};
        until(() -> last[0] == wanted, () -> {
            if (System.nanoTime() > next[0]) {
                out.offer(messages.buffer(), 0, length);
                next[0] = System.nanoTime() + 200_000_000L;
            }
            in.poll((b, o, l, h) -> last[0] = messages.read(b, o, l), 10);
        });
    }
}

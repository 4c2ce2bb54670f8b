package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.shard.gateway.GatewaySettings;

/** Starts a whole WorldNode in the test JVM on the RealCassandra, on free ports, for integration tests. */
final class InProcessNode {

    private InProcessNode() {}

    /** A node with the shipped configuration plus {@code extraHocon}; waits until it is up (at most 90 s). */
    static WorldNode start(String extraHocon) throws Exception {
        int[] udp = FreePorts.udp(2);
        return WorldNode.start(ConfigFactory.parseString(extraHocon)
                        .withFallback(ConfigFactory.parseString("""
                                pekko.remote.artery.canonical.port = 0
                                pekko.management.http.port = 0
                                pekko.coordinated-shutdown.exit-jvm = off
                                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                                world.gateway.port = %d
                                world.gateway.reply-port = %d
                                """.formatted(udp[0], udp[1])))
                        .withFallback(RealCassandra.config()))
                .toCompletableFuture()
                .get(90, TimeUnit.SECONDS);
    }

    /**
     * Two nodes of one cluster sharing one token key (a login at either is good at either's gateway, and sessions
     * can be handed off), each with {@code sharedHocon} too; see {@link #startTwo}.
     */
    static WorldNode[] startTwoSharingAKey(String sharedHocon) throws Exception {
        String key = Base64.getEncoder().encodeToString("both nodes share this 32-byte key".getBytes());
        return startTwo("world.gateway.token-key = \"" + key + "\"\n" + sharedHocon);
    }

    /** Where the node's gateway tells clients to send UDP, {@code host:port} as the SDK names its endpoint. */
    static String gatewayEndpoint(WorldNode node) {
        GatewaySettings gateway = GatewaySettings.get(node.system());
        return gateway.publicHost() + ":" + gateway.port();
    }

    /**
     * Two nodes of one cluster (the first the seed), each with {@code sharedHocon} too; returns once both are Up
     * (at most 60 s after they started).
     */
    static WorldNode[] startTwo(String sharedHocon) throws Exception {
        int[] ports = FreePorts.allocate(2);
        String shared = "pekko.cluster.seed-nodes = [\"pekko://world@127.0.0.1:" + ports[0] + "\"]\n" + sharedHocon;
        WorldNode first = start("pekko.remote.artery.canonical.port = " + ports[0] + "\n" + shared);
        WorldNode second = start("pekko.remote.artery.canonical.port = " + ports[1] + "\n" + shared);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (upMembers(first) < 2) {
            assertTrue(System.nanoTime() < deadline, "the second node joined");
            Thread.sleep(100); // waiting for cluster membership, with a deadline
        }
        return new WorldNode[] {first, second};
    }

    private static int upMembers(WorldNode node) {
        int up = 0;
        for (Member m : Cluster.get(node.system()).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                up++;
            }
        }
        return up;
    }

    /** Stops {@code node}'s actor system and waits for it (at most 60 s). */
    static void stop(WorldNode node) throws Exception {
        node.system().terminate();
        node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** GET {@code path} on the node's HTTP API as JSON; fails on an answer that is not 2xx. */
    static JsonNode getJson(WorldNode node, String path) throws Exception {
        return new ObjectMapper().readTree(getText(node, path));
    }

    /** GET {@code path} on the node's HTTP API (e.g. /metrics), within 30 s; fails on an answer that is not 2xx. */
    static String getText(WorldNode node, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(node.operatorUri() + path))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /**
     * A sample of the node's /metrics: {@code series} is the metric's name with its labels, as printed (e.g. {@code
     * world_gateway_handoffs_total{outcome="done"}}); fails the test if it is not there.
     */
    static double metric(WorldNode node, String series) throws Exception {
        String metrics = getText(node, "/metrics");
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "no " + series + " in\n" + metrics);
        return Double.parseDouble(m.group(1));
    }

    /**
     * GETs {@code path} until its JSON satisfies {@code done}, for up to {@code within} (for what a node does on its
     * own timers or streams); fails the test with the last answer otherwise.
     */
    static JsonNode awaitJson(WorldNode node, String path, Predicate<JsonNode> done, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonNode now = getJson(node, path);
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " did not get there within " + within + ": " + now);
            }
            Thread.sleep(100);
        }
    }

    /** The status code of GET {@code path} on the node's HTTP API. */
    static int getJsonStatus(WorldNode node, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(node.operatorUri() + path))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Registers avatar {@code id} (home: the lobby) with a new identity: {@code [0]} its seed, {@code [1]} public. */
    static byte[][] registerAvatar(WorldNode node, String id) throws Exception {
        return registerAvatar(node, id, "lobby");
    }

    /** Registers avatar {@code id} with a new identity and this home region (where it first enters the world). */
    static byte[][] registerAvatar(WorldNode node, String id, String homeRegion) throws Exception {
        byte[][] identity = SessionLogin.newIdentity();
        HttpResponse<String> created = post(
                node,
                "/avatars",
                "{\"id\": \"" + id + "\", \"displayName\": \"Ada\", \"homeRegion\": \"" + homeRegion
                        + "\", \"publicKey\": \""
                        + Base64.getEncoder().encodeToString(identity[1]) + "\"}");
        if (created.statusCode() != 201) {
            throw new IllegalStateException("registering " + id + ": " + created.statusCode() + " " + created.body());
        }
        return identity;
    }

    /** POST {@code body} as JSON to the node's HTTP API. */
    static HttpResponse<String> post(WorldNode node, String path, String body) throws Exception {
        return send(node, "POST", path, body);
    }

    /** DELETE with {@code body} as JSON. */
    static HttpResponse<String> delete(WorldNode node, String path, String body) throws Exception {
        return send(node, "DELETE", path, body);
    }

    private static HttpResponse<String> send(WorldNode node, String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(node.operatorUri() + path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .method(method, HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** The body of {@code POST /sessions} for {@code login} signed as {@code signature}. */
    static String loginBody(SessionLogin login, String signature) {
        return String.format(
                "{\"avatar\": \"%s\", \"nonce\": %d, \"timestamp\": %d, \"signature\": \"%s\"}",
                login.avatarId(), login.clientNonce(), login.timestampMillis(), signature);
    }
}

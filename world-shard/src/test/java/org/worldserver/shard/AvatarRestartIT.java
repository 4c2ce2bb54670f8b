package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.avatar.Avatar;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDirectory;

/**
 * A whole node (WorldNode, as Main starts it) on the real Cassandra: an avatar's record and last position
 * survive stopping the node and starting a new one.
 */
@ExtendWith(RealCassandra.class)
class AvatarRestartIT {

    private static final Duration ASK = Duration.ofSeconds(30);

    private static Config nodeConfig() {
        return ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.management.http.port = 0
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                """).withFallback(RealCassandra.config());
    }

    private static WorldNode startNode() throws Exception {
        return WorldNode.start(nodeConfig()).toCompletableFuture().get(90, TimeUnit.SECONDS);
    }

    private static Avatar.Summary ask(
            WorldNode node,
            String id,
            java.util.function.Function<ActorRef<StatusReply<Avatar.Summary>>, Avatar.Command> command)
            throws Exception {
        EntityRef<Avatar.Command> ref = ClusterSharding.get(node.system()).entityRefFor(Avatar.ENTITY_KEY, id);
        return ref.<Avatar.Summary>askWithStatus(command::apply, ASK)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    /** GET on the node's operator API; asserts the status and returns the body. */
    private static String httpGet(WorldNode node, String path, int expectedStatus) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(node.operatorUri().toString() + path))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    void shouldKeepAnAvatarsRecordAndLastPositionAcrossANodeRestart() throws Exception {
        String id = "it-" + UUID.randomUUID();
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        Avatar.Position exit = new Avatar.Position("lobby", 12.5, 0.0, -3.25);

        WorldNode first = startNode();
        Avatar.Summary before;
        try {
            ask(first, id, r -> new Avatar.Register("Grace", key, "harbour", r));
            ask(first, id, r -> new Avatar.Login("lobby", r));
            ActorRef<RegionCell.Command> lobby = RegionDirectory.get(first.system())
                    .find("lobby")
                    .orElseThrow()
                    .actor();
            StatusReply<RegionCell.Joined> joined = AskPattern.<RegionCell.Command, StatusReply<RegionCell.Joined>>ask(
                            lobby,
                            r -> new RegionCell.Join(id, 40f, 0f, 60f, r),
                            ASK,
                            first.system().scheduler())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertTrue(joined.isSuccess(), joined.toString());

            JsonNode view = new ObjectMapper().readTree(httpGet(first, "/avatars/" + id, 200));
            assertEquals("Grace", view.get("avatar").get("displayName").asText());
            assertTrue(view.get("avatar").get("online").asBoolean());
            assertEquals("lobby", view.get("live").get("region").asText());
            assertEquals(
                    joined.getValue().entityId(),
                    view.get("live").get("entityId").asInt());
            assertEquals(40.0, view.get("live").get("x").asDouble(), 1e-6);
            assertEquals(60.0, view.get("live").get("z").asDouble(), 1e-6);
            assertTrue(
                    httpGet(first, "/avatars/nobody-" + UUID.randomUUID(), 404).contains("avatar-not-registered"));
            assertTrue(httpGet(first, "/avatars/not%20an%20id", 400).contains("avatar-invalid-id"));
            before = ask(first, id, r -> new Avatar.Logout(exit, r));
        } finally {
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }

        WorldNode second = startNode();
        try {
            Avatar.Summary after = ask(second, id, Avatar.Get::new);
            assertEquals(before, after);
            assertEquals("Grace", after.displayName());
            assertEquals(exit, after.lastPosition());
            assertFalse(after.online());
        } finally {
            second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.avatar.Avatar;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.WorldRegions;

/**
 * A whole node (WorldNode, as Main starts it) on the real Cassandra: an avatar's record and last position
 * survive stopping the node and starting a new one.
 */
@ExtendWith(RealCassandra.class)
class AvatarRestartIT {

    private static final Duration ASK = Duration.ofSeconds(30);

    private static WorldNode startNode() throws Exception {
        return InProcessNode.start("world.avatar.position-checkpoint-interval = 1s");
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

        String walker = "walker-" + UUID.randomUUID();
        WorldNode first = startNode();
        Avatar.Summary before;
        Avatar.Position walkerBefore;
        try {
            ask(first, id, r -> new Avatar.Register("Grace", key, "harbour", r));
            ask(first, id, r -> new Avatar.Login("lobby", r));
            StatusReply<RegionCell.Joined> joined = WorldRegions.get(first.system())
                    .join(id, "lobby", 40f, 0f, 60f)
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
            assertEquals("lobby:0:0", view.get("live").get("cell").asText());
            assertTrue(
                    httpGet(first, "/avatars/nobody-" + UUID.randomUUID(), 404).contains("avatar-not-registered"));
            assertTrue(httpGet(first, "/avatars/not%20an%20id", 400).contains("avatar-invalid-id"));
            before = ask(first, id, r -> new Avatar.Logout(exit, r));

            // A walker who never logs out: the cell reports its position, the record keeps one per interval.
            ask(first, walker, r -> new Avatar.Register("Walker", key, "lobby", r));
            ask(first, walker, r -> new Avatar.Login("lobby", r));
            WorldRegions regions = WorldRegions.get(first.system());
            StatusReply<RegionCell.Joined> walking = regions.join(walker, "lobby", 100f, 0f, 100f)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertTrue(walking.isSuccess(), walking.toString());
            regions.cell(CellId.parse(walking.getValue().cell())).tell(new RegionCell.Input(walker, 1, 1, 0, 1, 0));
            TestProbe<Void> probe = TestProbe.create(first.system());
            probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(250), () -> {
                Avatar.Position p;
                try {
                    p = ask(first, walker, Avatar.Get::new).lastPosition();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                assertTrue(p != null && p.x() > 103, "checkpointed while walking east: " + p);
                return null;
            });
            walkerBefore = ask(first, walker, Avatar.Get::new).lastPosition();
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

            Avatar.Position walkerAfter = ask(second, walker, Avatar.Get::new).lastPosition();
            assertEquals("lobby", walkerAfter.region());
            assertTrue(walkerAfter.x() >= walkerBefore.x(), walkerAfter + " is the last checkpoint, not older");
            assertEquals(100.0, walkerAfter.z(), 1e-3);
        } finally {
            second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}

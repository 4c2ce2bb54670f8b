package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.shard.StateSyncIT.ClientDriver;
import org.worldserver.shard.StateSyncIT.Player;

/**
 * The re-balancer's telemetry end to end on one node: a client's avatar makes its cell's shard busy; the node's
 * reporter sends the shard's interval to the singleton, which scores it and decides (one node: nothing to move);
 * {@code GET /attention/shards} and {@code /attention/decisions} show both.
 */
@WithSettings("world.rebalancer.interval = 1s")
class RebalancerIT extends OneNodeIT {

    @Test
    void shouldReportTheShardsOfCellsAndDecide() throws Exception {
        String id = "reb-" + UUID.randomUUID().toString().substring(0, 6);
        try (ClientDriver driver = new ClientDriver(0)) {
            Player player = StateSyncIT.connect(node, driver, id);
            List<Player> one = List.of(player);
            StateSyncIT.pollUntil(one, 60, () -> player.client().state() == WorldClient.State.CONNECTED, () -> {});
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JsonNode shards = null;
            while (System.nanoTime() < until) {
                StateSyncIT.pollUntil(one, 5, () -> true, () -> {});
                shards = InProcessNode.getJson(node, "/attention/shards");
                if (busyShard(shards) != null) {
                    break;
                }
                Thread.sleep(200);
            }
            JsonNode busy = busyShard(shards);
            assertTrue(busy != null, "a shard with the avatar: " + shards);
            assertTrue(busy.get("shard").asText().startsWith("lobby:"), busy.toString());
            assertEquals("trend", shards.get("model").asText());
            assertTrue(shards.get("strategy").asText().startsWith("least-shard"), shards.toString());
            assertTrue(busy.get("importance").isNumber(), "scored: " + busy);
            JsonNode nodes = shards.get("nodes");
            assertEquals(1, nodes.size());
            assertTrue(nodes.get(0).get("latest").get("capacity").asDouble() > 0, nodes.toString());

            JsonNode decisions =
                    InProcessNode.getJson(node, "/attention/decisions").get("decisions");
            assertTrue(decisions.size() > 0, "decided");
            assertEquals(
                    "one node: nowhere to move to",
                    decisions.get(0).get("reason").asText());
            assertEquals(0, decisions.get(0).get("moves").size());
            player.client().close();
        }
    }

    private static JsonNode busyShard(JsonNode shards) {
        if (shards == null) {
            return null;
        }
        for (JsonNode s : shards.get("shards")) {
            if (s.get("latest").get("avatars").asInt() >= 1) {
                return s;
            }
        }
        return null;
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.shard.StateSyncIT.ClientDriver;
import org.worldserver.shard.StateSyncIT.Player;
import org.worldserver.shard.rebalance.AttentionCommand;

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
            // Until a shard with the avatar has been reported and scored (the client is polled all along).
            JsonNode[] shards = new JsonNode[1];
            long[] nextLook = {0};
            StateSyncIT.pollUntil(
                    one,
                    30,
                    () -> {
                        JsonNode busy = busyShard(shards[0]);
                        return busy != null && busy.get("importance").isNumber();
                    },
                    () -> {
                        if (System.nanoTime() > nextLook[0]) {
                            nextLook[0] = System.nanoTime() + 200_000_000L;
                            try {
                                shards[0] = InProcessNode.getJson(node, "/attention/shards");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
            JsonNode busy = busyShard(shards[0]);
            assertTrue(busy.get("shard").asText().startsWith("lobby:"), busy.toString());
            assertEquals("trend", shards[0].get("model").asText());
            assertTrue(shards[0].get("strategy").asText().startsWith("least-shard"), shards[0].toString());
            JsonNode nodes = shards[0].get("nodes");
            assertEquals(1, nodes.size());
            assertTrue(nodes.get(0).get("latest").get("capacity").asDouble() > 0, nodes.toString());

            JsonNode decisions =
                    InProcessNode.getJson(node, "/attention/decisions").get("decisions");
            assertTrue(decisions.size() > 0, "decided");
            assertEquals(
                    "one node: nowhere to move to",
                    decisions.get(0).get("reason").asText());
            assertEquals(0, decisions.get(0).get("moves").size());

            // bin/world attention record: the intervals appended to a recording, each once.
            Path recording = Files.createTempFile("telemetry", ".jsonl");
            try {
                int written = AttentionCommand.record(
                        node.operatorUri().toString(), recording, Duration.ofSeconds(3), Duration.ofSeconds(1));
                List<String> lines = Files.readAllLines(recording);
                assertTrue(written > 0, "recorded");
                assertEquals(written, lines.size());
                assertEquals(lines.size(), new HashSet<>(lines).size(), "each interval once");
            } finally {
                Files.deleteIfExists(recording);
            }
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

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
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.shard.attention.AttentionBatch;
import org.worldserver.shard.attention.RegionAttention;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.WorldRegions;

/**
 * Attention paid in a running region becomes settlement batches in the real Cassandra, the time bank pays them
 * to the attended avatars' accounts (the ledger conserved, the chains intact), and the batches are still there
 * (unchanged) after the node is stopped and a new one started.
 */
@ExtendWith(RealCassandra.class)
class AttentionSettlementIT {

    private static final Duration ASK = Duration.ofSeconds(20);

    private static WorldNode startNode(String region) throws Exception {
        return InProcessNode.start("""
                world.attention.settlement-period = 1s
                world.regions = [{ name = "%s", max = [256, 64, 256] }]
                """.formatted(region));
    }

    private static List<AttentionBatch> recent(WorldNode node, String region) throws Exception {
        return ClusterSharding.get(node.system())
                .entityRefFor(RegionAttention.ENTITY_KEY, region)
                .<RegionAttention.RecentBatches>ask(RegionAttention.Recent::new, ASK)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .batches();
    }

    @Test
    void shouldStoreSettlementBatchesThatSurviveANodeRestart() throws Exception {
        String region = "it-" + UUID.randomUUID().toString().substring(0, 8);
        List<AttentionBatch> before;
        Instant stopBegan;
        WorldNode first = startNode(region);
        try {
            for (String avatar : List.of("ada", "bob")) {
                StatusReply<RegionCell.Joined> joined = WorldRegions.get(first.system())
                        .join(avatar, region, 100, 0, 100)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                assertTrue(joined.isSuccess(), joined.toString());
            }
            TestProbe<Void> watcher = TestProbe.create(first.system());
            watcher.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
                try {
                    assertTrue(recent(first, region).size() >= 2);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return null;
            });
            before = recent(first, region);
            HttpResponse<String> http = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create(first.operatorUri() + "/regions/" + region + "/attention"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, http.statusCode(), http.body());
            JsonNode newest = new ObjectMapper().readTree(http.body()).get(0);
            assertEquals(region, newest.get("region").asText());
            assertTrue(newest.get("attentionMicros").get("ada").asLong() > 0, http.body());
            Instant.parse(newest.get("periodEnd").asText()); // ISO-8601 instants on the operator API
            // The attention economy: the settled batches are paid to the attended avatars' accounts.
            watcher.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
                try {
                    assertTrue(InProcessNode.getJson(first, "/accounts/ada")
                                    .get("balance")
                                    .asLong()
                            > 0);
                    assertTrue(InProcessNode.getJson(first, "/accounts/bob")
                                    .get("balance")
                                    .asLong()
                            > 0);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return null;
            });
            assertTrue(InProcessNode.getJson(first, "/ledger/check")
                    .get("conserved")
                    .asBoolean());
            assertTrue(InProcessNode.getJson(first, "/accounts/ada/verify")
                    .get("intact")
                    .asBoolean());
        } finally {
            stopBegan = Instant.now();
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        for (AttentionBatch batch : before) {
            assertEquals(Set.of("ada", "bob"), batch.attentionMicros().keySet());
            assertTrue(batch.totalMicros() > 0);
        }

        WorldNode second = startNode(region);
        try {
            List<AttentionBatch> after = recent(second, region);
            assertFalse(after.isEmpty());
            assertEquals(
                    before,
                    after.subList(after.size() - before.size(), after.size()),
                    "the batches stored before the restart come back unchanged");
        } finally {
            second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}

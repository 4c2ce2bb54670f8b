package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * The attention placement ({@code world.rebalancer.strategy = attention}) on three nodes in JVMs of their own
 * (bin/world) and the test's real Cassandra, shard by shard as each node's {@code /shards/RegionCell} lists them:
 * <ul>
 *   <li>a region's 16 shards, all first asked for by one node, spread over the three (Pekko's external allocation
 *       alone would have put them all on the node that asked);
 *   <li>an operator moves one shard to another live node through the external allocation, and its cells answer there;
 *   <li>bad moves are refused with their codes;
 *   <li>when a node is killed, its shards (the moved one among them, whose location names the dead node) spread over
 *       the survivors, and every cell answers again.
 * </ul>
 * No shard is ever on two nodes' lists.
 */
@ExtendWith(RealCassandra.class)
class AttentionPlacementIT {

    private static final Duration DOWNING = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final String region = "plaza-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        for (NodeProcess n : nodes) {
            n.close();
        }
    }

    /** The region's shards (shard id → node address). */
    private Map<String, String> regionShards(List<NodeProcess> live) throws Exception {
        return NodeProcess.whereRunning(live, "RegionCell", true).entrySet().stream()
                .filter(e -> e.getKey().startsWith(region + ":"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static long on(Map<String, String> shards, NodeProcess node) {
        return shards.values().stream().filter(node.clusterAddress()::equals).count();
    }

    /** Whether the nodes run as many cell shards each, give or take one (every region's shards counted). */
    private static boolean evenlySpread(List<NodeProcess> live) throws Exception {
        Map<String, String> all = NodeProcess.whereRunning(live, "RegionCell", true);
        long most = 0;
        long fewest = Long.MAX_VALUE;
        for (NodeProcess n : live) {
            most = Math.max(most, on(all, n));
            fewest = Math.min(fewest, on(all, n));
        }
        return most - fewest <= 1;
    }

    /** Asks every cell of the region for its status (starting those not running) and expects all 64 to answer. */
    private void everyCellAnswers(NodeProcess via, Duration within) throws Exception {
        JsonNode view = via.getJsonOnceReady("/regions/" + region, within);
        assertEquals(64, view.get("cells").size(), "every cell answered: " + view);
    }

    @Test
    void shouldSpreadNewShardsMoveOneOnRequestAndSpreadADeadNodesShards() throws Exception {
        NodeProcess.startCluster(dir, 3, nodes, "world.rebalancer.strategy=attention", "world.rebalancer.interval=2s");
        NodeProcess first = nodes.get(0);
        NodeProcess second = nodes.get(1);
        NodeProcess third = nodes.get(2);

        // 8 × 8 cells of 128 m in shards of 2 × 2: 16 shards, every one first asked for by the first node.
        first.posted(
                201,
                "/regions",
                "{\"name\": \"%s\", \"max\": [1024, 256, 1024], \"cell-size\": 128}".formatted(region));
        everyCellAnswers(first, Duration.ofSeconds(60));
        Map<String, String> placed = regionShards(nodes);
        assertEquals(16, placed.size(), "every shard runs once: " + placed);
        assertTrue(
                evenlySpread(nodes),
                "each new shard went to the node with the fewest: "
                        + NodeProcess.whereRunning(nodes, "RegionCell", true));

        // The re-balancer hears of them (each node reports every 2 s), then an operator moves one from the second
        // node to the third.
        first.awaitJson(
                "/attention/shards",
                v -> {
                    int known = 0;
                    for (JsonNode s : v.get("shards")) {
                        known += s.get("shard").asText().startsWith(region + ":") ? 1 : 0;
                    }
                    return known == 16;
                },
                Duration.ofSeconds(30));
        String shard = placed.entrySet().stream()
                .filter(e -> e.getValue().equals(second.clusterAddress()))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        String body = "{\"node\": \"%s\"}".formatted(third.clusterAddress());
        JsonNode moved = first.posted(202, "/attention/shards/" + shard + "/location", body);
        assertEquals(second.clusterAddress(), moved.get("from").asText());
        assertEquals(third.clusterAddress(), moved.get("to").asText());
        long movedAt = System.nanoTime();
        // The coordinator moves it at its next rebalance round (every world.rebalancer.move-check-interval, 2 s).
        third.awaitJson(
                "/shards/RegionCell",
                v -> {
                    for (JsonNode s : v.get("shards")) {
                        if (s.get("id").asText().equals(shard)) {
                            return true;
                        }
                    }
                    return false;
                },
                Duration.ofSeconds(60));
        System.out.printf("shard %s moved by request in %.1f s%n", shard, (System.nanoTime() - movedAt) / 1e9);
        everyCellAnswers(first, Duration.ofSeconds(30));
        Map<String, String> afterMove = regionShards(nodes);
        assertEquals(third.clusterAddress(), afterMove.get(shard), "it runs on the third node now, once: " + afterMove);
        assertEquals(16, afterMove.size());
        JsonNode decisions = first.getJson("/attention/decisions");
        assertTrue(
                decisions.get("decisions").toString().contains("moved by an operator"),
                "recorded as a decision: " + decisions);

        // Refused: a shard no node reports, a node that is not a member, a body without a node.
        JsonNode unknownShard = NodeProcess.json(first.post("/attention/shards/" + region + ":9:9/location", body));
        assertEquals("shard-unknown", unknownShard.get("error").asText());
        JsonNode unknownNode = NodeProcess.json(
                first.post("/attention/shards/" + shard + "/location", "{\"node\": \"pekko://world@127.0.0.1:1\"}"));
        assertEquals("node-unknown", unknownNode.get("error").asText());
        assertEquals(
                400,
                first.post("/attention/shards/" + shard + "/location", "{}").statusCode());
        assertEquals(third.clusterAddress(), regionShards(nodes).get(shard), "a refused move moved nothing");

        // The third node dies with its shards, the moved one among them (its location names the dead node).
        long lost = on(afterMove, third);
        third.kill();
        List<NodeProcess> survivors = List.of(first, second);
        for (NodeProcess n : survivors) {
            n.awaitJson("/cluster/members", m -> NodeProcess.upMembers(m, 2), DOWNING);
        }
        long removedAt = System.nanoTime();
        everyCellAnswers(first, DOWNING);
        System.out.printf(
                "every cell answered again %.1f s after the node was removed%n", (System.nanoTime() - removedAt) / 1e9);
        Map<String, String> afterKill = regionShards(survivors);
        assertEquals(16, afterKill.size(), "every shard runs again, once: " + afterKill);
        long gainedBySecond = on(afterKill, second) - on(afterMove, second);
        System.out.printf(
                "the killed node ran %d shards; the second node took %d, the first %d%n",
                lost, gainedBySecond, lost - gainedBySecond);
        assertTrue(
                evenlySpread(survivors),
                "the dead node's shards went to the survivor with the fewest, though the first asked for all: "
                        + NodeProcess.whereRunning(survivors, "RegionCell", true));
    }
}

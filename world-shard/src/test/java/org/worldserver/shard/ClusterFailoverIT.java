package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * Three nodes in JVMs of their own (bin/world) on the test's real Cassandra form a cluster; entities spread over
 * them. One node is killed with SIGKILL. The split-brain resolver downs it (the two others are the majority), Cluster
 * Sharding places its shards on the survivors, and its entities come back there with the state they had persisted.
 * At no point does an entity run on two nodes: each node's {@code /shards/Asset} lists the entities it runs, and no
 * id is on two lists, before the kill or after.
 */
@ExtendWith(RealCassandra.class)
class ClusterFailoverIT {

    private static final int ASSETS = 60;
    /** The resolver decides 20 s after the cluster is stable (application.conf), after the failure detector's ~10 s. */
    private static final Duration DOWNING = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        for (NodeProcess n : nodes) {
            n.close();
        }
    }

    /**
     * Which node runs each asset now (asset id → node address), from each node's own list; fails if an asset is on
     * two lists. The nodes are asked one after another, so a list is taken again (up to 5 times) until two rounds
     * agree: an entity handed off between two reads would otherwise look like it ran twice.
     */
    private static Map<String, String> whereAssetsRun(List<NodeProcess> live) throws Exception {
        Map<String, String> before = null;
        for (int round = 0; round < 5; round++) {
            Map<String, String> now = snapshot(live, round == 4);
            if (now != null && now.equals(before)) {
                return now;
            }
            before = now;
            Thread.sleep(500);
        }
        throw new AssertionError("the nodes' lists of running assets did not settle: " + before);
    }

    /** One round of lists; null if an asset is on two of them (and {@code strict} is off). */
    private static Map<String, String> snapshot(List<NodeProcess> live, boolean strict) throws Exception {
        Map<String, String> runsOn = new HashMap<>();
        for (NodeProcess n : live) {
            JsonNode view = n.getJson("/shards/Asset");
            for (JsonNode shard : view.get("shards")) {
                for (JsonNode entity : shard.get("entities")) {
                    String before = runsOn.put(entity.asText(), view.get("node").asText());
                    if (before != null && !strict) {
                        return null;
                    }
                    assertEquals(null, before, entity.asText() + " runs on " + before + " and " + view.get("node"));
                }
            }
        }
        return runsOn;
    }

    private static boolean upMembers(JsonNode members, int count) {
        int up = 0;
        for (JsonNode m : members.get("members")) {
            up += m.get("status").asText().equals("Up") ? 1 : 0;
        }
        return up == count
                && members.get("members").size() == count
                && members.get("unreachable").isEmpty();
    }

    @Test
    void shouldBringAKilledNodesEntitiesBackOnTheOthersOnceEach() throws Exception {
        NodeProcess first = new NodeProcess(dir.resolve("n1"));
        nodes.add(first);
        first.start("n1.log");
        NodeProcess second = NodeProcess.joining(dir.resolve("n2"), first);
        NodeProcess third = NodeProcess.joining(dir.resolve("n3"), first);
        nodes.add(second);
        nodes.add(third);
        CompletableFuture<Void> starting = CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> start(second, "n2.log")),
                CompletableFuture.runAsync(() -> start(third, "n3.log")));
        starting.get();
        for (NodeProcess n : nodes) {
            n.awaitJson("/cluster/members", m -> upMembers(m, 3), Duration.ofSeconds(60));
        }

        // Assets minted and then moved through every node: each ends with a state of its own.
        Map<String, String> owners = new HashMap<>();
        for (int a = 0; a < ASSETS; a++) {
            String id = run + "-a" + a;
            NodeProcess via = nodes.get(a % 3);
            via.posted(
                    201,
                    "/assets",
                    "{\"id\": \"%s\", \"kind\": \"ITEM\", \"creator\": \"maker\", \"owner\": \"maker\", \"name\": \"Item %d\"}"
                            .formatted(id, a));
            String owner = "owner" + a % 7;
            nodes.get((a + 1) % 3)
                    .posted(200, "/assets/" + id + "/transfer", "{\"to\": \"%s\", \"by\": \"maker\"}".formatted(owner));
            owners.put(id, owner);
        }
        Map<String, String> before = whereAssetsRun(nodes);
        assertEquals(
                ASSETS,
                before.keySet().stream().filter(id -> id.startsWith(run)).count(),
                "all running");

        // The node running the most of them (never the first: it is the seed the others joined) is killed.
        NodeProcess victim = second;
        long onSecond =
                before.values().stream().filter(second.clusterAddress()::equals).count();
        long onThird =
                before.values().stream().filter(third.clusterAddress()::equals).count();
        if (onThird > onSecond) {
            victim = third;
        }
        long lost = Math.max(onSecond, onThird);
        assertTrue(lost > 0, "the assets spread over the nodes: " + before);
        victim.kill();
        System.out.printf("killed %s, which ran %d of %d assets%n", victim.clusterAddress(), lost, ASSETS);

        List<NodeProcess> survivors = new ArrayList<>(nodes);
        survivors.remove(victim);
        long killedAt = System.nanoTime();
        for (NodeProcess n : survivors) {
            n.awaitJson("/cluster/members", m -> upMembers(m, 2), DOWNING);
        }
        System.out.printf("the survivors removed it after %.1f s%n", (System.nanoTime() - killedAt) / 1e9);

        // Every asset answers from the survivors with the state it persisted; none runs twice. Until Cluster
        // Sharding has placed the lost shards again, asking answers 503 world-busy ("try again"): a client retries.
        long downedAt = System.nanoTime();
        for (Map.Entry<String, String> asset : owners.entrySet()) {
            JsonNode state = survivors.get(0).getJsonOnceReady("/assets/" + asset.getKey(), DOWNING);
            assertEquals(asset.getValue(), state.get("owner").asText(), asset.getKey() + " came back with its owner");
            assertEquals(2, state.get("provenance").size(), asset.getKey());
        }
        System.out.printf("every asset answered again %.1f s after that%n", (System.nanoTime() - downedAt) / 1e9);
        Map<String, String> after = whereAssetsRun(survivors);
        for (String id : owners.keySet()) {
            assertTrue(after.containsKey(id), id + " runs on a survivor, once");
        }
        assertTrue(
                survivors
                        .get(1)
                        .getJson("/assets/" + run + "-a0/verify")
                        .get("intact")
                        .asBoolean(),
                "its hash chain is intact");
    }

    private static void start(NodeProcess node, String log) {
        try {
            node.start(log);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

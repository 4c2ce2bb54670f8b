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

    @Test
    void shouldBringAKilledNodesEntitiesBackOnTheOthersOnceEach() throws Exception {
        NodeProcess.startCluster(dir, 3, nodes);
        NodeProcess second = nodes.get(1);
        NodeProcess third = nodes.get(2);

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
        Map<String, String> before = NodeProcess.whereRunning(nodes, "Asset", false);
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
            n.awaitJson("/cluster/members", m -> NodeProcess.upMembers(m, 2), DOWNING);
        }
        System.out.printf("the survivors removed it after %.1f s%n", (System.nanoTime() - killedAt) / 1e9);

        // Every asset answers from the survivors with the state it persisted; none runs twice. Until Cluster
        // Sharding has placed the lost shards again, asking answers 503 world-busy ("try again"): a client retries.
        long downedAt = System.nanoTime();
        double firstSeconds = -1;
        double longestSeconds = 0;
        for (Map.Entry<String, String> asset : owners.entrySet()) {
            long asked = System.nanoTime();
            JsonNode state = survivors.get(0).getJsonOnceReady("/assets/" + asset.getKey(), DOWNING);
            double waited = (System.nanoTime() - asked) / 1e9;
            firstSeconds = firstSeconds < 0 ? waited : firstSeconds;
            longestSeconds = Math.max(longestSeconds, waited);
            assertEquals(asset.getValue(), state.get("owner").asText(), asset.getKey() + " came back with its owner");
            assertEquals(2, state.get("provenance").size(), asset.getKey());
        }
        // Where the time goes: the first answer (waiting for the coordinator), against the longest single one.
        System.out.printf(
                "every asset answered again %.1f s after that (the first after %.1f s, the longest %.1f s)%n",
                (System.nanoTime() - downedAt) / 1e9, firstSeconds, longestSeconds);
        Map<String, String> after = NodeProcess.whereRunning(survivors, "Asset", false);
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
}

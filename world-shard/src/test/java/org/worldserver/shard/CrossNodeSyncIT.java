package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.shard.StateSyncIT.ClientDriver;
import org.worldserver.shard.StateSyncIT.Player;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.RegionDirectory;

/**
 * Two nodes of one cluster on the real Cassandra, each with its gateway: one client connects through each node's
 * gateway and both avatars are placed in the same cell, which runs on one of the two nodes, so one of the clients
 * is served across nodes (its frames and inputs relayed by {@code SessionRelay}). Both see each other, named, and
 * each one's input is applied. Handoffs are off here, so the far session stays far.
 */
@ExtendWith(RealCassandra.class)
class CrossNodeSyncIT {

    private static WorldNode first;
    private static WorldNode second;

    @BeforeAll
    static void start() throws Exception {
        // Sessions stay where they entered: this test is about serving a session from another node (HandoffIT moves
        // them).
        WorldNode[] nodes = InProcessNode.startTwoSharingAKey("world.gateway.handoff.after = 0\n");
        first = nodes[0];
        second = nodes[1];
    }

    @AfterAll
    static void stop() throws Exception {
        InProcessNode.stop(second);
        InProcessNode.stop(first);
    }

    private static String cellOf(String avatarId) throws Exception {
        JsonNode live = InProcessNode.getJson(first, "/avatars/" + avatarId).get("live");
        return live == null ? null : live.get("cell").asText();
    }

    @Test
    void shouldServeAClientWhoseAvatarsCellRunsOnTheOtherNode() throws Exception {
        try (ClientDriver driver = new ClientDriver(0)) {
            Player ada = StateSyncIT.connect(first, driver, "far-ada-" + UUID.randomUUID());
            Player bob = StateSyncIT.connect(second, driver, "far-bob-" + UUID.randomUUID());
            List<Player> both = List.of(ada, bob);
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> ada.client().state() == WorldClient.State.CONNECTED
                            && bob.client().state() == WorldClient.State.CONNECTED,
                    () -> {});
            String cell = cellOf(ada.id());
            assertEquals(cell, cellOf(bob.id()), "both at the lobby's spawn point");
            boolean onFirst = RegionDirectory.get(first.system()).cells().containsKey(CellId.parse(cell));
            boolean onSecond = RegionDirectory.get(second.system()).cells().containsKey(CellId.parse(cell));
            assertNotEquals(onFirst, onSecond, "the cell runs on exactly one node: one client is served from afar");

            // Each sees the other, named: frames flow, the far one's through the relays.
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> StateSyncIT.seenAt(ada.client(), bob.client().entityId()) != null
                            && StateSyncIT.seenAt(bob.client(), ada.client().entityId()) != null,
                    () -> {});
            // Each one's inputs come back applied (the far session now knows its cell's node).
            int[] sent = new int[2];
            long[] next = {0};
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> sent[0] > 0
                            && ada.client().lastAppliedInput() == sent[0]
                            && bob.client().lastAppliedInput() == sent[1],
                    () -> {
                        if (System.nanoTime() > next[0]) {
                            sent[0] = ada.client().sendInput(0, 0, 1, 0, System.nanoTime());
                            sent[1] = bob.client().sendInput(0, 0, 0, 1, System.nanoTime());
                            next[0] = System.nanoTime() + 100_000_000L;
                        }
                    });
            assertEquals(bob.id(), ada.client().name(bob.client().entityId()));
            assertEquals(ada.id(), bob.client().name(ada.client().entityId()));
            // The far client's inputs crossed through the cell node's relay, in batches; the near one's did not
            // (the cell stayed where it was: two nodes, nothing moves shards).
            assertEquals(onFirst, RegionDirectory.get(first.system()).cells().containsKey(CellId.parse(cell)));
            WorldNode far = onFirst ? second : first;
            WorldNode near = onFirst ? first : second;
            assertTrue(
                    InProcessNode.metric(far, "world_gateway_relayed_inputs_total") > 0,
                    "the far gateway relayed its client's inputs");
            assertEquals(
                    0,
                    InProcessNode.metric(near, "world_gateway_relayed_inputs_total"),
                    "the near gateway's client has its cell on its own node");
            ada.client().close();
            bob.client().close();
        }
    }
}

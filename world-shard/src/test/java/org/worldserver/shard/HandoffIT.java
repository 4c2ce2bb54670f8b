package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * Sessions follow their cell to its node's gateway: two nodes of one cluster on the real Cassandra, one client
 * entering through each node's gateway (each logs in at that node), both avatars in the same cell, which runs on one
 * of the nodes. The far client's gateway redirects it to the near one (real Aeron UDP on loopback); the client
 * continues there with a new session, its avatar never leaves the world, its inputs stop crossing nodes and are
 * still applied, and the far gateway closes its session without a logout.
 */
@ExtendWith(RealCassandra.class)
class HandoffIT {

    private static WorldNode first;
    private static WorldNode second;

    @BeforeAll
    static void start() throws Exception {
        WorldNode[] nodes = InProcessNode.startTwoSharingAKey("world.gateway.handoff.after = 1s\n"
                // Both avatars are new and enter at the spawn point, whose logins are never sent on; off all the
                // same, so that the far session here does not depend on that rule (LoginRoutingIT tests it).
                + "world.gateway.handoff.at-login = off\n");
        first = nodes[0];
        second = nodes[1];
    }

    @AfterAll
    static void stop() throws Exception {
        InProcessNode.stop(second);
        InProcessNode.stop(first);
    }

    @Test
    void shouldHandAFarSessionToTheGatewayOfItsCellsNodeWithoutTheAvatarLeavingTheWorld() throws Exception {
        try (ClientDriver driver = new ClientDriver(0)) {
            Player ada = StateSyncIT.connect(first, driver, "handoff-ada-" + UUID.randomUUID());
            Player bob = StateSyncIT.connect(second, driver, "handoff-bob-" + UUID.randomUUID());
            List<Player> both = List.of(ada, bob);
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> ada.client().state() == WorldClient.State.CONNECTED
                            && bob.client().state() == WorldClient.State.CONNECTED,
                    () -> {});
            JsonNode adaLive =
                    InProcessNode.getJson(first, "/avatars/" + ada.id()).get("live");
            String cell = adaLive.get("cell").asText();
            boolean onFirst = RegionDirectory.get(first.system()).cells().containsKey(CellId.parse(cell));
            WorldNode near = onFirst ? first : second;
            WorldNode far = onFirst ? second : first;
            Player farPlayer = onFirst ? bob : ada;
            Player nearPlayer = onFirst ? ada : bob;
            WorldClient farClient = farPlayer.client();
            long farSessionBefore = farClient.sessionId();
            assertEquals(InProcessNode.gatewayEndpoint(far), farClient.endpoint());

            // Both keep playing; within a few seconds the far client is redirected and continues at the near gateway.
            int[] sent = new int[2];
            long[] next = {0};
            Runnable play = () -> {
                if (System.nanoTime() > next[0]) {
                    int a = ada.client().sendInput(0, 0, 1, 0, System.nanoTime());
                    int b = bob.client().sendInput(0, 0, 0, 1, System.nanoTime());
                    sent[0] = a > 0 ? a : sent[0];
                    sent[1] = b > 0 ? b : sent[1];
                    next[0] = System.nanoTime() + 100_000_000L;
                }
            };
            StateSyncIT.pollUntil(both, 30, () -> farClient.handoffs() + farClient.handoffsFailed() > 0, play);
            assertEquals(0, farClient.handoffsFailed(), "the near gateway took the session");
            assertEquals(1, farClient.handoffs());
            assertEquals(
                    InProcessNode.gatewayEndpoint(near),
                    farClient.endpoint(),
                    "the far client now talks to its cell's node");
            assertNotEquals(farSessionBefore, farClient.sessionId(), "a session of the near gateway's own");
            assertEquals(0, nearPlayer.client().handoffs(), "the near client stays where it is");

            // Still playing: both clients' inputs are applied, and each still sees the other, named.
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> sent[0] > 0
                            && ada.client().lastAppliedInput() == sent[0]
                            && bob.client().lastAppliedInput() == sent[1]
                            && StateSyncIT.seenAt(ada.client(), bob.client().entityId()) != null
                            && StateSyncIT.seenAt(bob.client(), ada.client().entityId()) != null,
                    play);
            assertEquals(bob.id(), ada.client().name(bob.client().entityId()));
            assertEquals(ada.id(), bob.client().name(ada.client().entityId()));

            // The far gateway closed its session once the near node published the new one: no logout.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (InProcessNode.metric(far, "world_gateway_sessions") != 0
                    || InProcessNode.metric(near, "world_gateway_sessions") != 2) {
                assertTrue(System.nanoTime() < deadline, "the far gateway closed the session it handed off");
                StateSyncIT.pollUntil(both, 5, () -> true, play);
                Thread.sleep(100); // the sessions map reaches the far node by gossip, with a deadline
            }
            assertEquals(1, InProcessNode.metric(far, "world_gateway_handoffs_total{outcome=\"done\"}"));
            assertEquals(0, InProcessNode.metric(far, "world_gateway_handoffs_total{outcome=\"gave_up\"}"));
            JsonNode avatar = InProcessNode.getJson(near, "/avatars/" + farPlayer.id());
            assertTrue(avatar.get("avatar").get("online").asBoolean(), "the avatar never logged out: " + avatar);
            assertEquals(cell, avatar.get("live").get("cell").asText(), "in the same cell: " + avatar);

            // Its inputs no longer cross nodes: the near gateway, which has both sessions now, relays none.
            int target = sent[onFirst ? 1 : 0] + 10;
            StateSyncIT.pollUntil(both, 30, () -> farClient.lastAppliedInput() >= target, play);
            assertEquals(0, InProcessNode.metric(near, "world_gateway_relayed_inputs_total"));
            assertEquals(WorldClient.State.CONNECTED, farClient.state());
            ada.client().close();
            bob.client().close();
        }
    }
}

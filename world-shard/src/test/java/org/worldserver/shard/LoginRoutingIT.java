package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.shard.StateSyncIT.ClientDriver;
import org.worldserver.shard.StateSyncIT.Player;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.RegionDirectory;

/**
 * A returning avatar's login is sent to the gateway of the node that runs the cell it left from ({@code
 * world.gateway.handoff.at-login}, on by default), whichever node answers it, and its session starts there: no
 * handoff follows and no input crosses nodes. An avatar entering at a spawn point gets the gateway of the node that
 * answered. Two nodes of one cluster on the real Cassandra, real Aeron UDP on
 * loopback. {@link HandoffIT} turns this off to make a far session.
 */
@ExtendWith(RealCassandra.class)
class LoginRoutingIT {

    private static WorldNode first;
    private static WorldNode second;

    @BeforeAll
    static void start() throws Exception {
        WorldNode[] nodes = InProcessNode.startTwoSharingAKey("world.gateway.handoff.after = 1s\n");
        first = nodes[0];
        second = nodes[1];
    }

    @AfterAll
    static void stop() throws Exception {
        InProcessNode.stop(second);
        InProcessNode.stop(first);
    }

    /** Handoffs started and inputs relayed to another node, on both nodes together. */
    private static long crossings() throws Exception {
        long sum = 0;
        for (WorldNode node : List.of(first, second)) {
            sum += InProcessNode.metric(node, "world_gateway_handoffs_total{outcome=\"started\"}");
            sum += InProcessNode.metric(node, "world_gateway_relayed_inputs_total");
        }
        return sum;
    }

    private static String cellOf(String avatarId) throws Exception {
        JsonNode live = InProcessNode.getJson(first, "/avatars/" + avatarId).get("live");
        return live == null || live.isNull() ? null : live.get("cell").asText();
    }

    @Test
    void shouldSendAReturningAvatarsLoginToTheGatewayOfTheNodeThatRunsTheCellItLeftFrom() throws Exception {
        try (ClientDriver driver = new ClientDriver(0)) {
            // New avatars enter at the lobby's spawn point (512, 512), each through the gateway of the node that
            // answered its login, whichever node runs that cell: one of the two logins is at the other node.
            String walkerId = "returning-" + UUID.randomUUID();
            byte[] seed = InProcessNode.registerAvatar(first, walkerId)[0];
            Player walker = StateSyncIT.logIn(first, driver, walkerId, seed, new Listener() {});
            Player stayer = StateSyncIT.connect(second, driver, "staying-" + UUID.randomUUID());
            assertEquals(
                    InProcessNode.gatewayEndpoint(first),
                    walker.client().endpoint(),
                    "a spawn point's login is not sent on");
            assertEquals(
                    InProcessNode.gatewayEndpoint(second),
                    stayer.client().endpoint(),
                    "a spawn point's login is not sent on");
            List<Player> both = List.of(walker, stayer);
            StateSyncIT.pollUntil(
                    both,
                    30,
                    () -> walker.client().state() == WorldClient.State.CONNECTED
                            && stayer.client().state() == WorldClient.State.CONNECTED,
                    () -> {});
            String spawnCell = cellOf(walkerId);

            // The walker walks west out of the spawn point's cell, then leaves the world (a Disconnect: logged out
            // where it stands).
            long[] next = {0};
            StateSyncIT.pollUntil(both, 30, () -> !spawnCell.equals(cellOfQuietly(walkerId)), () -> {
                if (System.nanoTime() > next[0]) {
                    walker.client().sendInput(-1, 0, -1, 0, System.nanoTime());
                    next[0] = System.nanoTime() + 100_000_000L;
                }
            });
            walker.client().sendInput(0, 0, -1, 0, System.nanoTime());
            String leftFrom = cellOf(walkerId);
            stayer.client().close();
            walker.client().close();
            InProcessNode.awaitJson( // logged out: an event in the journal
                    first,
                    "/avatars/" + walkerId,
                    record -> !record.get("avatar").get("online").asBoolean(),
                    Duration.ofSeconds(20));
            assertNotEquals(spawnCell, leftFrom);
            WorldNode runsCell =
                    RegionDirectory.get(first.system()).cells().containsKey(CellId.parse(leftFrom)) ? first : second;
            WorldNode other = runsCell == first ? second : first;

            // Back, logging in at the node that does not run that cell: sent to the gateway of the one that does.
            long crossingsBefore = crossings();
            Player back = StateSyncIT.logIn(other, driver, walkerId, seed, new Listener() {});
            assertEquals(
                    InProcessNode.gatewayEndpoint(runsCell),
                    back.client().endpoint(),
                    "sent to the gateway of its cell's node");
            StateSyncIT.pollUntil(
                    List.of(back), 30, () -> back.client().state() == WorldClient.State.CONNECTED, () -> {});
            int[] sent = new int[1];
            Runnable play = () -> {
                if (System.nanoTime() > next[0]) {
                    int s = back.client().sendInput(0, 0, 1, 0, System.nanoTime());
                    sent[0] = s > 0 ? s : sent[0];
                    next[0] = System.nanoTime() + 100_000_000L;
                }
            };
            // Longer than a far session would take to be redirected (handoff.after = 1 s).
            long playedUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            StateSyncIT.pollUntil(
                    List.of(back),
                    30,
                    () -> System.nanoTime() > playedUntil
                            && sent[0] > 0
                            && back.client().lastAppliedInput() == sent[0],
                    play);
            assertEquals(leftFrom, cellOf(walkerId), "back in the cell it left from");
            assertEquals(0, back.client().handoffs(), "no handoff followed");
            assertEquals(crossingsBefore, crossings(), "no handoff started and no input crossed nodes");
            back.client().close();
        }
    }

    private static String cellOfQuietly(String avatarId) {
        try {
            return cellOf(avatarId);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

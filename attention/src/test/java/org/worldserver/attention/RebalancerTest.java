package org.worldserver.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.worldserver.attention.Rebalancer.ShardState;

/** The re-balancer's rules one by one: capacity weighting, hysteresis, gain against cost, move limits, cooldown, decay. */
class RebalancerTest {

    private static RebalanceSettings settings(int maxMoves, double costBase) {
        return settings(maxMoves, costBase, 0.0001, 0.02, Duration.ofMinutes(10));
    }

    /** Capacity 100, start spread 0.15, stop 0.05, cooldown 60 s, 30 intervals kept. */
    private static RebalanceSettings settings(
            int maxMoves, double costBase, double costPerAvatar, double decay, Duration returnAfter) {
        return new RebalanceSettings(
                RebalanceSettings.Placement.ATTENTION,
                "",
                Duration.ofSeconds(10),
                decay,
                0.15,
                0.05,
                maxMoves,
                Duration.ofSeconds(60),
                returnAfter,
                costBase,
                costPerAvatar,
                OptionalDouble.of(100),
                100,
                0.85,
                30,
                Duration.ofSeconds(2));
    }

    /** A fresh re-balancer's first decision: four shards of 40 on a, one of 1 on b; it moves two of a's to b. */
    private static Decision movedTwo(Rebalancer r) {
        Decision first = r.decide(0, both(shards("a", 4, 40), shards("b", 1, 1)), EQUAL, Map.of(), "t");
        assertEquals(2, first.moves().size(), first.reason());
        return first;
    }

    private static final Map<String, Double> EQUAL = Map.of("a", 100.0, "b", 100.0);

    /** {@code count} shards of {@code importance} each on {@code node}, fresh, 10 avatars each. */
    private static List<ShardState> shards(String node, int count, double importance) {
        List<ShardState> shards = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            shards.add(new ShardState(node + "-s" + i, node, importance, 0, 10));
        }
        return shards;
    }

    private static List<ShardState> both(List<ShardState> one, List<ShardState> other) {
        List<ShardState> all = new ArrayList<>(one);
        all.addAll(other);
        return all;
    }

    @Test
    void shouldWeighNodesByCapacity() {
        // The same load on a big node (capacity 300) and a small one (50): the small one is the heavy one.
        Map<String, Double> bigAndSmall = Map.of("big", 300.0, "small", 50.0);
        Decision d = new Rebalancer(settings(4, 0.01))
                .decide(0, both(shards("big", 6, 10), shards("small", 6, 10)), bigAndSmall, Map.of(), "t");
        assertEquals(60 / 420.0, d.weightsBefore().get("big"), 1e-9, "w = A / (C + sum of A)");
        assertEquals(60 / 170.0, d.weightsBefore().get("small"), 1e-9);
        assertFalse(d.moves().isEmpty(), d.reason());
        d.moves().forEach(m -> assertEquals("big", m.to(), "towards the capacity"));
        assertTrue(d.spreadAfter() < d.spreadBefore());

        // The same loads on equal nodes: balanced, nothing moves.
        Decision equal = new Rebalancer(settings(4, 0.01))
                .decide(0, both(shards("a", 6, 10), shards("b", 6, 10)), EQUAL, Map.of(), "t");
        assertTrue(equal.moves().isEmpty(), equal.reason());
        assertEquals(0, equal.spreadBefore(), 1e-12);
    }

    /**
     * A node over {@code target-max-cpu} (0.85) of its CPU takes nothing however light it looks; the next lightest with
     * room does; with none, nothing moves and the decision says why.
     */
    @Test
    void shouldMoveOnlyToANodeWithRoom() {
        Map<String, Double> three = Map.of("a", 100.0, "b", 100.0, "c", 100.0);
        List<ShardState> world = new ArrayList<>(both(shards("a", 6, 10), shards("b", 3, 10)));
        world.addAll(shards("c", 1, 10));
        Decision toC = new Rebalancer(settings(1, 0.01)).decide(0, world, three, Map.of("c", 0.85), "t");
        assertEquals("c", toC.moves().get(0).to(), "at the limit is still room: " + toC);
        Decision toB = new Rebalancer(settings(1, 0.01)).decide(0, world, three, Map.of("c", 0.95), "t");
        assertEquals("b", toB.moves().get(0).to(), "c is saturated: " + toB);
        Decision none =
                new Rebalancer(settings(1, 0.01)).decide(0, world, three, Map.of("a", 0.5, "b", 0.9, "c", 0.95), "t");
        assertTrue(none.moves().isEmpty(), none.toString());
        assertTrue(none.reason().startsWith("no node with room"), none.reason());
        assertTrue(none.rebalancing(), "still wanting to move once there is room");
    }

    @Test
    void shouldGiveShardsToANewNodeWhileTwoOthersAreEquallyHeavy() {
        // A node just joined: two equally loaded nodes and an empty one (bin/world cluster add).
        Rebalancer r = new Rebalancer(settings(2, 0.01));
        Map<String, Double> three = Map.of("a", 100.0, "b", 100.0, "c", 100.0);
        Decision d = r.decide(0, both(shards("a", 6, 10), shards("b", 6, 10)), three, Map.of(), "t");
        assertEquals(2, d.moves().size(), d.reason());
        d.moves().forEach(m -> assertEquals("c", m.to()));
        assertEquals("a", d.moves().get(0).from());
        assertEquals("b", d.moves().get(1).from(), "then the other heavy node");
        assertTrue(d.moves().get(0).gain() > d.moves().get(0).cost());
    }

    @Test
    void shouldStartAboveTheStartSpreadAndStopOnlyBelowTheStopSpread() {
        // Spread between stop (0.05) and start (0.15): nothing moves while idle.
        Rebalancer r = new Rebalancer(settings(1, 0.001));
        List<ShardState> mild = both(shards("a", 6, 10), shards("b", 4, 10)); // weights 60/200, 40/200: 0.10
        Decision idle = r.decide(0, mild, EQUAL, Map.of(), "t");
        assertEquals(0.10, idle.spreadBefore(), 1e-9);
        assertTrue(idle.moves().isEmpty());
        assertFalse(idle.rebalancing());

        // Above the start: it starts, one move per decision (the limit), and stays on while above the stop.
        List<ShardState> crowd = both(shards("a", 10, 10), shards("b", 2, 10)); // 100/220 vs 20/220: 0.36
        Decision first = r.decide(1_000, crowd, EQUAL, Map.of(), "t");
        assertEquals(1, first.moves().size());
        assertTrue(first.rebalancing());
        assertTrue(first.reason().startsWith("move limit reached"), first.reason());
        // The world as it is after that move (9 and 3 shards): spread 0.27, still rebalancing.
        List<ShardState> next = both(shards("a", 9, 10), shards("b", 3, 10));
        Decision second = r.decide(2_000, next, EQUAL, Map.of(), "t");
        assertEquals(1, second.moves().size());
        // Now the spread of the mild world (0.10, below start but above stop): still moving, it is under way.
        Decision third = r.decide(3_000, mild, EQUAL, Map.of(), "t");
        assertEquals(1, third.moves().size(), "hysteresis: under way until below the stop spread");
        assertFalse(third.rebalancing(), "5 and 5 shards: balanced again");
        assertTrue(third.reason().startsWith("balanced again"), third.reason());
        Decision after = r.decide(4_000, mild, EQUAL, Map.of(), "t");
        assertTrue(after.moves().isEmpty(), "stopped: the mild spread no longer moves anything");
    }

    @Test
    void shouldNotMakeAMoveThatGainsLessThanItCosts() {
        // One huge shard: moving it only moves the peak to the other node.
        Rebalancer r = new Rebalancer(settings(4, 0.01));
        List<ShardState> one =
                List.of(new ShardState("giant", "a", 100, 0, 500), new ShardState("small", "b", 5, 0, 1));
        Decision d = r.decide(0, one, EQUAL, Map.of(), "t");
        assertTrue(d.moves().isEmpty(), d.toString());
        assertTrue(d.reason().startsWith("no move from a gains more than it costs"), d.reason());
        assertTrue(d.rebalancing(), "still above the stop spread: it keeps looking");

        // A move that would help, but its avatars make it cost more than it gains.
        Rebalancer costly = new Rebalancer(settings(4, 0.01, 1.0, 0, Duration.ofMinutes(10)));
        Decision none = costly.decide(0, both(shards("a", 8, 10), shards("b", 2, 10)), EQUAL, Map.of(), "t");
        assertTrue(none.moves().isEmpty(), "each shard's 10 avatars cost 10 points: " + none.reason());
    }

    @Test
    void shouldKeepAMovedShardStillForTheCooldown() {
        Rebalancer r = new Rebalancer(settings(2, 0.001));
        Decision first = movedTwo(r);
        // Both moved shards back on the heavy node (as if the moves had not happened yet): both are cooling.
        List<ShardState> back = new ArrayList<>();
        first.moves().forEach(m -> back.add(new ShardState(m.shard(), "a", 40, 0, 10)));
        back.addAll(shards("b", 1, 1));
        Decision soon = r.decide(30_000, back, EQUAL, Map.of(), "t");
        assertTrue(soon.moves().isEmpty(), "moved 30 s ago: " + soon.reason());
        assertTrue(soon.reason().contains("2 of its shards moved within the cooldown"), soon.reason());
        Decision later = r.decide(61_000, back, EQUAL, Map.of(), "t");
        assertEquals(1, later.moves().size(), "after the cooldown they may move again: " + later.reason());
    }

    @Test
    void shouldNotMoveAShardBackToTheNodeItLeftWithinReturnAfter() {
        Rebalancer r = new Rebalancer(settings(2, 0.001));
        Decision first = movedTwo(r);
        // Two minutes on (past the cooldown), the crowd has drifted: the moved shards make b the heavy node and a
        // is now the light one. They may not go back to a; b's own small shard may.
        List<ShardState> drifted = new ArrayList<>();
        first.moves().forEach(m -> drifted.add(new ShardState(m.shard(), "b", 40, 0, 10)));
        drifted.add(new ShardState("b-s0", "b", 20, 0, 10));
        Decision back = r.decide(120_000, drifted, EQUAL, Map.of(), "t");
        back.moves().forEach(m -> assertEquals("b-s0", m.shard(), "no return to a: " + back));
        assertTrue(back.reason().contains("left a too recently"), back.reason());
        // After return-after (10 min), they may.
        Decision later = r.decide(601_000, drifted, EQUAL, Map.of(), "t");
        assertTrue(later.moves().stream().anyMatch(m -> !m.shard().equals("b-s0")), later.toString());
    }

    @Test
    void shouldRefuseAReturnAfterShorterThanTheCooldown() {
        assertThrows(IllegalArgumentException.class, () -> settings(2, 0.01, 0.0001, 0, Duration.ofSeconds(30)));
    }

    @Test
    void shouldTakeAConfiguredCapacityOrOneByTheCores() {
        // The shipped reference.conf alone: no environment override (WORLD_NODE_CAPACITY) or application.conf.
        Config defaults = ConfigFactory.parseResources("reference.conf").resolve(ConfigResolveOptions.noSystem());
        RebalanceSettings auto = RebalanceSettings.fromRootConfig(defaults);
        assertTrue(auto.nodeCapacity().isEmpty(), "auto by default");
        assertEquals(60, auto.nodeCapacity(0.6), 1e-9);
        assertEquals(200, auto.nodeCapacity(2), 1e-9);
        RebalanceSettings fixed = RebalanceSettings.fromRootConfig(
                ConfigFactory.parseString("world.rebalancer.node-capacity = 75").withFallback(defaults));
        assertEquals(75, fixed.nodeCapacity(0.6), 1e-9);
        assertEquals(75, fixed.nodeCapacity(16), 1e-9);
        for (String bad : List.of(
                "node-capacity = 0",
                "node-capacity = -5",
                "capacity-per-core = 0",
                "target-max-cpu = 0",
                "target-max-cpu = 1.5")) {
            Config config = ConfigFactory.parseString("world.rebalancer." + bad).withFallback(defaults);
            assertThrows(IllegalArgumentException.class, () -> RebalanceSettings.fromRootConfig(config), bad);
        }
    }

    @Test
    void shouldCountStaleImportanceLess() {
        Rebalancer r = new Rebalancer(settings(4, 0.001));
        // Node a's shards were measured 100 s ago: e^(-0.02 × 100) = 0.135 of their importance.
        List<ShardState> world = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            world.add(new ShardState("old" + i, "a", 30, 100, 10));
        }
        world.add(new ShardState("fresh", "b", 16, 0, 10));
        Decision d = r.decide(0, world, EQUAL, Map.of(), "t");
        assertEquals(30 * Math.exp(-2), d.importance().get("old0"), 1e-9);
        assertTrue(d.moves().isEmpty(), "decayed, node a is not the heavy one: " + d);
    }

    @Test
    void shouldNotMoveWithOneNodeAndIgnoreShardsOnNodesThatLeft() {
        Rebalancer r = new Rebalancer(settings(4, 0.001));
        Decision alone = r.decide(0, shards("a", 5, 50), Map.of("a", 100.0), Map.of(), "t");
        assertTrue(alone.moves().isEmpty());
        assertEquals("one node: nowhere to move to", alone.reason());
        // Shards on a node that left count nowhere: node a is heavy, b light, and only a's shards move.
        Decision gone = r.decide(0, both(shards("gone", 5, 50), shards("a", 4, 30)), EQUAL, Map.of(), "t");
        assertFalse(gone.weightsBefore().containsKey("gone"));
        assertFalse(gone.moves().isEmpty(), gone.reason());
        gone.moves().forEach(m -> assertEquals("a", m.from(), "Cluster Sharding places the lost ones"));
    }
}

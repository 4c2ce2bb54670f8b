package org.worldserver.attention;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses which shards to move between nodes, from their predicted importance and the nodes' capacities. Pure
 * decisions over the numbers it is given (no clocks, no actors), so each rule is tested alone; it keeps only its
 * hysteresis state and when each shard last moved. Not thread-safe: owned by the re-balancing singleton.
 *
 * <p><b>Node weight.</b> With A_s a shard's predicted importance measured t_s seconds ago, decayed as A_s·e^(−δ·t_s),
 * and A_n the sum of that over node n's shards: {@code w_n = A_n / (C_n + Σ_m A_m)}, where C_n is node n's
 * capacity. For the same load, a node with more capacity weighs less, so it is given more.
 *
 * <p><b>Moves.</b> The spread is the heaviest node's weight minus the lightest's. Moving starts only when the spread
 * exceeds {@code startSpread}, and then goes on, decision after decision, until it is below {@code stopSpread}
 * (hysteresis: a world that hovers near one threshold does not make the shards flap). Each step moves one shard from
 * the heaviest node to the lightest: the one whose gain beats its cost by the most. The gain is how much the heavier
 * of the two nodes gets lighter: {@code w_H − max(w_H', w_L')} after the move (so a move to an empty node counts even
 * while another node is as heavy as the one it leaves). The cost is {@code moveCostBase + moveCostPerAvatar ×
 * avatars} (its players pause while it moves). No move is made whose gain does not beat its cost, no shard moves twice
 * within {@code cooldown}, none goes back to the node it left within {@code returnAfter}, and a decision makes at most
 * {@code maxMovesPerInterval} moves.
 *
 * <p><b>Room.</b> A node that used more than {@code targetMaxCpu} of the CPU it may use over the last interval is not
 * the target of a move, however light its weight: a move is for putting load where there is room, and the weight, whose
 * capacity only adds to the total load in the denominator, can call a small saturated node light. The lightest node
 * with room is the target.
 */
public final class Rebalancer {

    /**
     * A shard as the re-balancer weighs it.
     *
     * @param avatars the avatars its move would pause (what the move costs): {@link TelemetryHistory#avatarsAtMove}
     */
    public record ShardState(String shard, String node, double importance, double ageSeconds, int avatars) {}

    private final RebalanceSettings settings;
    /** A shard's last move: when, and the node it left. */
    private record LastMove(long atMillis, String from) {}

    private final Map<String, LastMove> lastMoved = new HashMap<>();
    private boolean rebalancing;

    public Rebalancer(RebalanceSettings settings) {
        this.settings = settings;
    }

    /**
     * Decides the moves for now.
     *
     * @param shards every shard with its node, predicted importance, the age of that prediction's data and avatars
     * @param capacities every node that can take shards, with its capacity C_n (a node without shards included)
     * @param cpu each node's share of the CPU it may use over the last interval, 0 to 1 (a node not in it: 0)
     * @param model the name of the model that predicted the importance, for the record
     */
    public Decision decide(
            long nowMillis,
            List<ShardState> shards,
            Map<String, Double> capacities,
            Map<String, Double> cpu,
            String model) {
        forgetOldMoves(nowMillis);
        Map<String, Double> importance = new TreeMap<>();
        Map<String, Double> load = new TreeMap<>();
        capacities.keySet().forEach(n -> load.put(n, 0.0));
        Map<String, List<ShardState>> onNode = new HashMap<>();
        for (ShardState s : shards) {
            double decayed = Math.max(0, s.importance()) * Math.exp(-settings.decayPerSecond() * s.ageSeconds());
            importance.put(s.shard(), decayed);
            if (load.containsKey(s.node())) { // a shard on a node that left is placed again by Cluster Sharding
                load.merge(s.node(), decayed, Double::sum);
                onNode.computeIfAbsent(s.node(), n -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Double> before = weights(load, capacities);
        double spreadBefore = spread(before);
        List<Decision.Move> moves = new ArrayList<>();
        String reason;
        if (capacities.size() < 2) {
            reason = "one node: nowhere to move to";
            rebalancing = false;
        } else if (!rebalancing && spreadBefore <= settings.startSpread()) {
            reason = String.format(
                    "balanced: spread %.3f is within the start threshold %.3f", spreadBefore, settings.startSpread());
        } else {
            rebalancing = true;
            reason = move(nowMillis, load, capacities, cpu, onNode, importance, moves);
        }
        Map<String, Double> after = weights(load, capacities);
        double spreadAfter = spread(after);
        if (rebalancing && spreadAfter < settings.stopSpread()) {
            rebalancing = false;
            if (!moves.isEmpty()) {
                reason = String.format(
                        "balanced again: spread %.3f below the stop threshold %.3f",
                        spreadAfter, settings.stopSpread());
            }
        }
        return new Decision(
                nowMillis,
                model,
                importance,
                before,
                after,
                spreadBefore,
                spreadAfter,
                rebalancing,
                List.copyOf(moves),
                reason);
    }

    /** Moves shards one at a time (changing {@code load} and {@code onNode}); returns why it stopped. */
    private String move(
            long nowMillis,
            Map<String, Double> load,
            Map<String, Double> capacities,
            Map<String, Double> cpu,
            Map<String, List<ShardState>> onNode,
            Map<String, Double> importance,
            List<Decision.Move> moves) {
        long cooldownMillis = settings.cooldown().toMillis();
        while (true) {
            Map<String, Double> w = weights(load, capacities);
            if (spread(w) < settings.stopSpread()) {
                return "balanced";
            }
            if (moves.size() >= settings.maxMovesPerInterval()) {
                return "move limit reached (" + settings.maxMovesPerInterval() + " per interval)";
            }
            String heaviest = extreme(w, true);
            Map<String, Double> withRoom = new TreeMap<>(w);
            withRoom.keySet().removeIf(n -> n.equals(heaviest) || cpu.getOrDefault(n, 0.0) > settings.targetMaxCpu());
            if (withRoom.isEmpty()) {
                return String.format(
                        "no node with room: the nodes lighter than %s use over %.0f %% of their CPU",
                        heaviest, 100 * settings.targetMaxCpu());
            }
            String lightest = extreme(withRoom, false);
            double total =
                    load.values().stream().mapToDouble(Double::doubleValue).sum(); // the same after a move
            double heavyRoom = capacities.get(heaviest) + total;
            double lightRoom = capacities.get(lightest) + total;
            Decision.Move best = null;
            int cooling = 0;
            for (ShardState s : onNode.getOrDefault(heaviest, List.of())) {
                LastMove moved = lastMoved.get(s.shard());
                if (moved != null
                        && (nowMillis - moved.atMillis() < cooldownMillis
                                || moved.from().equals(lightest)
                                        && nowMillis - moved.atMillis()
                                                < settings.returnAfter().toMillis())) {
                    cooling++;
                    continue;
                }
                double a = importance.get(s.shard());
                double gain = w.get(heaviest)
                        - Math.max((load.get(heaviest) - a) / heavyRoom, (load.get(lightest) + a) / lightRoom);
                double cost = settings.moveCostBase() + settings.moveCostPerAvatar() * s.avatars();
                if (gain > cost && (best == null || gain - cost > best.gain() - best.cost())) {
                    best = new Decision.Move(s.shard(), heaviest, lightest, a, s.avatars(), gain, cost);
                }
            }
            if (best == null) {
                return cooling > 0
                        ? "no move from " + heaviest + " gains more than it costs (" + cooling + " of its shards moved"
                                + " within the cooldown, or left " + lightest + " too recently to go back)"
                        : "no move from " + heaviest + " gains more than it costs";
            }
            moves.add(best);
            lastMoved.put(best.shard(), new LastMove(nowMillis, heaviest));
            load.merge(heaviest, -best.importance(), Double::sum);
            load.merge(lightest, best.importance(), Double::sum);
            String shard = best.shard();
            ShardState moved = onNode.get(heaviest).stream()
                    .filter(s -> s.shard().equals(shard))
                    .findFirst()
                    .orElseThrow();
            onNode.get(heaviest).remove(moved);
            onNode.computeIfAbsent(lightest, n -> new ArrayList<>())
                    .add(new ShardState(shard, lightest, moved.importance(), moved.ageSeconds(), moved.avatars()));
        }
    }

    /** w_n = A_n / (C_n + Σ_m A_m) for every node. */
    static Map<String, Double> weights(Map<String, Double> load, Map<String, Double> capacities) {
        double total = load.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> w = new TreeMap<>();
        load.forEach((node, a) -> w.put(node, a / (capacities.get(node) + total)));
        return w;
    }

    /** The spread of the node weights for loads A_n on nodes of capacities C_n (every loaded node has one). */
    public static double weightSpread(Map<String, Double> load, Map<String, Double> capacities) {
        return spread(weights(load, capacities));
    }

    private static double spread(Map<String, Double> w) {
        return w.isEmpty()
                ? 0
                : max(w)
                        - w.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .min()
                                .orElse(0);
    }

    private static double max(Map<String, Double> w) {
        return w.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /**
     * Records a move made outside {@link #decide} (an operator's): the cooldown and return-after apply to it as to the
     * re-balancer's own.
     */
    public void moved(String shard, String from, long nowMillis) {
        lastMoved.put(shard, new LastMove(nowMillis, from));
    }

    /**
     * Forgets that {@code shard} was moved (its move could not be applied): it may be chosen again at once.
     */
    public void moveFailed(String shard) {
        lastMoved.remove(shard);
    }

    /** Forgets the moves of shards that have not moved for longer than returnAfter (the memory stays small). */
    private void forgetOldMoves(long nowMillis) {
        long keepMillis = settings.returnAfter().toMillis();
        lastMoved.values().removeIf(m -> nowMillis - m.atMillis() >= keepMillis);
    }

    /** The heaviest (or lightest) node; ties go to the first in name order, so decisions are repeatable. */
    private static String extreme(Map<String, Double> w, boolean heaviest) {
        String pick = null;
        for (Map.Entry<String, Double> e : w.entrySet()) {
            if (pick == null || (heaviest ? e.getValue() > w.get(pick) : e.getValue() < w.get(pick))) {
                pick = e.getKey();
            }
        }
        return pick;
    }
}

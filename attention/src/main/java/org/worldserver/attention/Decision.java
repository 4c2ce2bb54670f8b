package org.worldserver.attention;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One decision of the re-balancer, with its reasons: what it saw, what it moved and why it stopped.
 *
 * @param atMillis when it was taken, epoch ms
 * @param model the importance model that scored the shards
 * @param importance each shard's decayed importance, as weighed
 * @param weightsBefore each node's weight w_n before the moves
 * @param weightsAfter each node's weight once the moves are done
 * @param spreadBefore the heaviest node's weight minus the lightest's, before
 * @param spreadAfter the same, after
 * @param rebalancing whether the re-balancer is between its start and its stop (hysteresis) after this decision
 * @param moves the shards to move, in order
 * @param reason why it moved nothing, or why it stopped moving
 */
public record Decision(
        long atMillis,
        String model,
        Map<String, Double> importance,
        Map<String, Double> weightsBefore,
        Map<String, Double> weightsAfter,
        double spreadBefore,
        double spreadAfter,
        boolean rebalancing,
        List<Move> moves,
        String reason) {

    /**
     * A shard to move.
     *
     * @param gain how much lighter the heavier of the two nodes gets: {@code w_from − max(w_from', w_to')}
     * @param cost what the move costs, in the same weight points
     */
    public record Move(
            String shard, String from, String to, double importance, int avatars, double gain, double cost) {}

    /**
     * The same decision with the importance of the moved shards and the {@code top} most important others only: what
     * the operator API shows (a decision over thousands of shards would not fit a remote message).
     */
    public Decision compact(int top) {
        Map<String, Double> kept = new TreeMap<>();
        moves.forEach(m -> kept.put(m.shard(), importance.get(m.shard())));
        importance.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> kept.put(e.getKey(), e.getValue()));
        return new Decision(
                atMillis,
                model,
                kept,
                weightsBefore,
                weightsAfter,
                spreadBefore,
                spreadAfter,
                rebalancing,
                moves,
                reason);
    }
}

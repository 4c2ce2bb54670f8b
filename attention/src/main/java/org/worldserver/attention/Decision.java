package org.worldserver.attention;

import java.util.List;
import java.util.Map;

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
     * @param gain how much the heaviest node's weight drops by the move
     * @param cost what the move costs, in the same weight points
     */
    public record Move(
            String shard, String from, String to, double importance, int avatars, double gain, double cost) {}
}

package org.worldserver.shard.world;

/**
 * A cell's numbers since it started (counters) or over its recent ticks (durations, dilation).
 *
 * @param avatars avatars the cell owns now
 * @param ghosts copies of neighbour cells' avatars near the border that observers here see
 * @param ticks ticks run
 * @param inputsAccepted inputs applied or queued for the next tick
 * @param inputsRejected inputs refused (stale sequence, malformed intent, unknown avatar)
 * @param tickP50Micros median tick duration over the last {@value CellSimulation#TICK_WINDOW} ticks, µs
 * @param tickP99Micros 99th percentile of the same, µs
 * @param dilation simulation speed relative to wall time, (0, 1]
 * @param attentionMass attention-seconds accumulated by this cell's avatars and not yet drained for settlement
 */
public record CellTelemetry(
        int avatars,
        int ghosts,
        long ticks,
        long inputsAccepted,
        long inputsRejected,
        double tickP50Micros,
        double tickP99Micros,
        double dilation,
        double attentionMass) {}

package org.worldserver.shard.world;

import java.util.Collection;

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
 * @param attentionTotal attention-seconds this cell's observers paid since it started (a counter: never drained)
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
        double attentionMass,
        double attentionTotal) {

    /**
     * The numbers of several cells as one (a shard, a region): sums of avatars, ghosts, inputs and attention; the
     * most ticks, the worst tick times and the lowest dilation of any of them. All zero (dilation 1) for none.
     */
    public static CellTelemetry combine(Collection<CellTelemetry> cells) {
        int avatars = 0;
        int ghosts = 0;
        long ticks = 0;
        long accepted = 0;
        long rejected = 0;
        double p50 = 0;
        double p99 = 0;
        double dilation = 1;
        double mass = 0;
        double total = 0;
        for (CellTelemetry t : cells) {
            avatars += t.avatars();
            ghosts += t.ghosts();
            ticks = Math.max(ticks, t.ticks());
            accepted += t.inputsAccepted();
            rejected += t.inputsRejected();
            p50 = Math.max(p50, t.tickP50Micros());
            p99 = Math.max(p99, t.tickP99Micros());
            dilation = Math.min(dilation, t.dilation());
            mass += t.attentionMass();
            total += t.attentionTotal();
        }
        return new CellTelemetry(avatars, ghosts, ticks, accepted, rejected, p50, p99, dilation, mass, total);
    }
}

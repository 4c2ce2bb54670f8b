package org.worldserver.attention;

/**
 * One shard's telemetry over one interval, as its node measured it. A shard is a block of neighbouring cells that
 * Cluster Sharding places and moves as one (world-shard's {@code CellShards}).
 *
 * @param shard the shard's id
 * @param node the node the shard ran on (its cluster address)
 * @param endMillis when the interval ended, epoch ms
 * @param avatars avatars the shard's cells owned at the end of the interval
 * @param inputsPerSecond inputs accepted per second over the interval
 * @param bytesOutPerSecond state-sync bytes sent per second to the shard's observers over the interval
 * @param tickP99Micros the worst 99th percentile tick duration of its cells, µs
 * @param dilation the lowest simulation speed of its cells relative to wall time, (0, 1]
 * @param attentionPerSecond attention-seconds the shard's observers paid per second over the interval (observers'
 *     weights × seconds, to the avatars they see, ghosts of neighbouring shards included: the measure the time bank
 *     settles, counted where it is paid)
 */
public record ShardSample(
        String shard,
        String node,
        long endMillis,
        int avatars,
        double inputsPerSecond,
        double bytesOutPerSecond,
        double tickP99Micros,
        double dilation,
        double attentionPerSecond) {

    /** How many numbers {@link #features} gives. */
    public static final int FEATURES = 6;

    /** The sample's numbers in a fixed order, for a model: avatars, inputs/s, bytes/s, tick p99 µs, dilation, attention/s. */
    public double[] features() {
        return new double[] {avatars, inputsPerSecond, bytesOutPerSecond, tickP99Micros, dilation, attentionPerSecond};
    }
}

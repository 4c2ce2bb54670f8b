package org.worldserver.shard.attention;

import java.time.Instant;
import java.util.Map;
import org.worldserver.persistence.CborSerializable;

/**
 * The attention one region paid during one settlement period: for each owner (today: the attended avatar), the
 * attention-seconds it received, in integer microseconds so that turning them into credits is exact. The time
 * bank settles a batch once, by {@link #batchId()}.
 *
 * @param batchId {@code <region>@<periodEnd epoch ms>}: unique per region and increasing over time
 * @param periodStart first instant the batch covers (inclusive)
 * @param periodEnd end of the period (exclusive)
 * @param attentionMicros owner id → attention received, µs of attention (observers' weights × seconds)
 */
public record AttentionBatch(
        String batchId, String region, Instant periodStart, Instant periodEnd, Map<String, Long> attentionMicros)
        implements CborSerializable {

    public AttentionBatch {
        attentionMicros = Map.copyOf(attentionMicros);
    }

    public static String idFor(String region, Instant periodEnd) {
        return region + "@" + periodEnd.toEpochMilli();
    }

    /** Total attention in the batch, µs. */
    public long totalMicros() {
        return attentionMicros.values().stream().mapToLong(Long::longValue).sum();
    }
}

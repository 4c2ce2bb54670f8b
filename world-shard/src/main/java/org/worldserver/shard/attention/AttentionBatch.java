package org.worldserver.shard.attention;

import java.time.Instant;
import java.util.Map;
import org.worldserver.persistence.CborSerializable;

/**
 * The attention one cell of a region paid during one settlement period: for each owner (today: the attended avatar), the
 * attention-seconds it received, in integer microseconds so that turning them into credits is exact. The time
 * bank settles a batch once, by {@link #batchId()}.
 *
 * @param batchId {@code <cell>@<periodEnd epoch ms>} where {@code <cell>} is {@code <region>:<ix>:<iz>}: unique,
 *     and increasing over time for each cell
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

    public static String idFor(String cell, Instant periodEnd) {
        return cell + "@" + periodEnd.toEpochMilli();
    }

    /** The cell that paid the attention: the batch id before {@code @}. */
    public String cell() {
        int at = batchId.lastIndexOf('@');
        return at < 0 ? "" : batchId.substring(0, at);
    }

    /** Total attention in the batch, µs. */
    public long totalMicros() {
        return attentionMicros.values().stream().mapToLong(Long::longValue).sum();
    }
}

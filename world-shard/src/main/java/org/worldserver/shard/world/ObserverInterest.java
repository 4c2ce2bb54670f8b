package org.worldserver.shard.world;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongLongConsumer;

/**
 * What one observer knows: for each entity currently in its area of interest, the tick the entity was last sent
 * to it and the tick it was last a candidate. Entities that stop being candidates are forgotten by {@link
 * #forgetDeparted} (the gateway sends them a "leave").
 *
 * <p>Packed per entity in one long: high 32 bits last-sent tick ({@link #NEVER_SENT} if never), low 32 bits
 * last-seen tick. Ticks are the cell's tick counter modulo 2^32 (about 6.8 years at 20 Hz). Not thread-safe.
 */
public final class ObserverInterest {

    static final int NEVER_SENT = -1;
    private static final long MISSING = Long.MIN_VALUE;

    private final Long2LongHashMap known = new Long2LongHashMap(64, 0.65f, MISSING);
    private final long[] departedScratch;
    private final LongLongConsumer departedCollector = this::collectDeparted;
    private int departedCount;
    private int sweepTick;

    /** @param maxTracked the most entities this observer can have in range (its candidate limit) */
    public ObserverInterest(int maxTracked) {
        departedScratch = new long[maxTracked + 1];
    }

    /** Ticks since {@code entity} was last sent, or {@link #NEVER_SENT} if it never was (it just entered). */
    int ticksSinceSent(int entity, int tick) {
        long packed = known.get(entity);
        if (packed == MISSING) {
            return NEVER_SENT;
        }
        int lastSent = (int) (packed >>> 32);
        return lastSent == NEVER_SENT ? NEVER_SENT : tick - lastSent;
    }

    void markSeen(int entity, int tick) {
        long packed = known.get(entity);
        long lastSent = packed == MISSING ? (NEVER_SENT & 0xFFFFFFFFL) : packed >>> 32;
        known.put(entity, lastSent << 32 | (tick & 0xFFFFFFFFL));
    }

    void markSent(int entity, int tick) {
        known.put(entity, ((long) tick) << 32 | (tick & 0xFFFFFFFFL));
    }

    /** Forgets everything (the observer left). */
    public void clear() {
        known.clear();
    }

    /** Number of entities this observer currently knows. */
    public int knownCount() {
        return known.size();
    }

    /** True if {@code entity} has been sent to this observer and is still in its area of interest. */
    public boolean hasBeenSent(int entity) {
        long packed = known.get(entity);
        return packed != MISSING && (int) (packed >>> 32) != NEVER_SENT;
    }

    /**
     * Forgets the entities that were not candidates at {@code tick} and writes their ids into {@code departed}.
     *
     * @return how many departed (at most {@code departed.length} are written)
     */
    public int forgetDeparted(int tick, int[] departed) {
        departedCount = 0;
        sweepTick = tick;
        known.forEachLong(departedCollector);
        int written = 0;
        for (int i = 0; i < departedCount; i++) {
            int entity = (int) departedScratch[i];
            known.remove(entity);
            if (written < departed.length) {
                departed[written++] = entity;
            }
        }
        return written;
    }

    private void collectDeparted(long entity, long packed) {
        if ((int) packed != sweepTick && departedCount < departedScratch.length) {
            departedScratch[departedCount++] = entity;
        }
    }
}

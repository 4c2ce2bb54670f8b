package org.worldserver.shard.world;

import java.util.Arrays;

/**
 * What one observer knows: for each entity currently in its area of interest, the tick the entity was last sent
 * to it. Entities that stop being candidates are forgotten by {@link #forgetDeparted} (the gateway sends them a
 * "leave").
 *
 * <p>An open-addressing hash table (linear probing, backward-shift deletion, load at most 3/4) whose entries hold
 * the entity and its last-sent tick side by side in one int array, so that a lookup and its update touch one cache
 * line, plus one bit per entry marking the entities tracked this tick. A candidate costs one probe per tick
 * ({@link #track}); the returned index is then used directly. When every known entity was a candidate this tick,
 * {@link #forgetDeparted} answers without scanning. About 1 KB for 64 entities in range; it grows to its working
 * size once and never shrinks, so steady state allocates nothing. Ticks are the cell's tick counter modulo 2^32
 * (about 6.8 years at 20 Hz). Not thread-safe.
 */
public final class ObserverInterest {

    static final int NEVER_SENT = -1;
    private static final int EMPTY = Integer.MIN_VALUE;
    /** Ints per entry: the entity, the tick it was last sent. */
    private static final int STRIDE = 2;

    private static final int KEY = 0;
    private static final int SENT = 1;

    private int[] entries;
    /** Bit i: entry i was tracked at {@link #countedTick}. */
    private long[] seen;
    /** Entries in the table (a power of two). */
    private int capacity;

    private int size;
    /** The tick the {@link #seen} bits and {@link #seenThisTick} are for. */
    private int countedTick;
    /** Distinct entities tracked at {@link #countedTick}: when it equals size, nobody departed. */
    private int seenThisTick;

    public ObserverInterest() {
        allocate(16);
    }

    /**
     * Reads one int of every cache line of the table, in order, and returns a meaningless value the caller must
     * keep (so the reads are not optimised away). The table is usually cold when an observer's turn comes; these
     * independent, predictable reads fetch its lines in parallel, where the hash probes that follow would fetch
     * them one by one.
     */
    int touch() {
        int any = 0;
        for (int o = 0; o < entries.length; o += 16) {
            any ^= entries[o];
        }
        return any ^ (int) seen[0];
    }

    /** Changes whenever the table grows, which moves every entry: indices from before are then invalid. */
    int generation() {
        return capacity;
    }

    /**
     * Records that {@code entity} is a candidate at {@code tick}, adding it if new (never sent). Tracking the
     * same entity again in the same tick changes nothing.
     *
     * @return its index for {@link #ticksSinceSent(int, int)} and {@link #markSent(int, int)}, valid while
     *     {@link #generation()} stays the same
     */
    int track(int entity, int tick) {
        if (countedTick != tick) {
            countedTick = tick;
            seenThisTick = 0;
            Arrays.fill(seen, 0L);
        }
        int index = probe(entity);
        if (entries[index * STRIDE + KEY] == EMPTY) {
            if ((size + 1) * 4 > capacity * 3) { // keep the load at most 3/4
                grow();
                index = probe(entity);
            }
            entries[index * STRIDE + KEY] = entity;
            entries[index * STRIDE + SENT] = NEVER_SENT;
            size++;
        }
        long bit = 1L << index; // shifts use the low 6 bits: the bit of index within its long
        if ((seen[index >>> 6] & bit) == 0) {
            seen[index >>> 6] |= bit;
            seenThisTick++;
        }
        return index;
    }

    /** Ticks since the entity at {@code index} was last sent, or {@link #NEVER_SENT} if it never was. */
    int ticksSinceSent(int index, int tick) {
        int sent = entries[index * STRIDE + SENT];
        return sent == NEVER_SENT ? NEVER_SENT : tick - sent;
    }

    void markSent(int index, int tick) {
        entries[index * STRIDE + SENT] = tick;
    }

    /** Forgets everything (the observer left). */
    public void clear() {
        for (int o = 0; o < entries.length; o += STRIDE) {
            entries[o + KEY] = EMPTY;
        }
        Arrays.fill(seen, 0L);
        size = 0;
        seenThisTick = 0;
    }

    /** Number of entities this observer currently knows. */
    public int knownCount() {
        return size;
    }

    /** True if {@code entity} has been sent to this observer and is still in its area of interest. */
    public boolean hasBeenSent(int entity) {
        int at = probe(entity) * STRIDE;
        return entries[at + KEY] != EMPTY && entries[at + SENT] != NEVER_SENT;
    }

    /**
     * Forgets the entities that were not candidates at {@code tick} and writes their ids into {@code departed}.
     *
     * @return how many departed (at most {@code departed.length}; the rest are found next time)
     */
    public int forgetDeparted(int tick, int[] departed) {
        if (size == 0 || (countedTick == tick && seenThisTick == size)) {
            return 0; // every known entity was a candidate this tick: no need to scan the table
        }
        boolean anySeen = countedTick == tick;
        int found = 0;
        for (int i = 0; i < capacity && found < departed.length; i++) {
            int key = entries[i * STRIDE + KEY];
            if (key != EMPTY && !(anySeen && isSeen(i))) {
                departed[found++] = key;
            }
        }
        for (int i = 0; i < found; i++) {
            remove(departed[i]);
        }
        return found;
    }

    private boolean isSeen(int index) {
        return (seen[index >>> 6] & (1L << index)) != 0;
    }

    private void allocate(int entryCount) {
        capacity = entryCount;
        entries = new int[entryCount * STRIDE];
        for (int o = 0; o < entries.length; o += STRIDE) {
            entries[o + KEY] = EMPTY;
        }
        seen = new long[(entryCount + 63) >>> 6];
    }

    private void grow() {
        int[] oldEntries = entries;
        long[] oldSeen = seen;
        int oldCapacity = capacity;
        allocate(capacity * 2);
        for (int i = 0; i < oldCapacity; i++) {
            int key = oldEntries[i * STRIDE + KEY];
            if (key != EMPTY) {
                int at = probe(key);
                System.arraycopy(oldEntries, i * STRIDE, entries, at * STRIDE, STRIDE);
                if ((oldSeen[i >>> 6] & (1L << i)) != 0) {
                    seen[at >>> 6] |= 1L << at;
                }
            }
        }
    }

    /** Index of the entry holding {@code entity}, or of the empty entry where it would go. */
    private int probe(int entity) {
        int mask = capacity - 1;
        int index = mix(entity) & mask;
        while (true) {
            int key = entries[index * STRIDE + KEY];
            if (key == EMPTY || key == entity) {
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    private void remove(int entity) {
        int hole = probe(entity);
        if (entries[hole * STRIDE + KEY] == EMPTY) {
            return;
        }
        entries[hole * STRIDE + KEY] = EMPTY;
        if (isSeen(hole)) {
            seen[hole >>> 6] &= ~(1L << hole);
            seenThisTick--;
        }
        size--;
        // Backward shift: move later members of the probe run into the hole so lookups never stop early.
        int mask = capacity - 1;
        for (int next = (hole + 1) & mask; entries[next * STRIDE + KEY] != EMPTY; next = (next + 1) & mask) {
            int home = mix(entries[next * STRIDE + KEY]) & mask;
            boolean movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
            if (movable) {
                System.arraycopy(entries, next * STRIDE, entries, hole * STRIDE, STRIDE);
                entries[next * STRIDE + KEY] = EMPTY;
                if (isSeen(next)) {
                    seen[next >>> 6] &= ~(1L << next);
                    seen[hole >>> 6] |= 1L << hole;
                }
                hole = next;
            }
        }
    }

    static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

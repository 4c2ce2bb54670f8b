package org.worldserver.shard.world;

import java.util.Arrays;

/**
 * What one observer knows: for each entity currently in its area of interest, the tick the entity was last sent
 * to it and the tick it was last a candidate. Entities that stop being candidates are forgotten by {@link
 * #forgetDeparted} (the gateway sends them a "leave").
 *
 * <p>An open-addressing hash table (linear probing, backward-shift deletion) with the two ticks in parallel
 * arrays: a candidate costs one probe per tick ({@link #track}); the returned index is then used directly. It
 * grows to its working size once and never shrinks, so steady state allocates nothing. Ticks are the cell's tick
 * counter modulo 2^32 (about 6.8 years at 20 Hz). Not thread-safe.
 */
public final class ObserverInterest {

    static final int NEVER_SENT = -1;
    private static final int EMPTY = Integer.MIN_VALUE;

    private int[] keys;
    private int[] lastSent;
    private int[] lastSeen;
    private int mask;
    private int size;
    private final int[] departedScratch;

    /** @param maxTracked the most entities this observer can have in range (its candidate limit) */
    public ObserverInterest(int maxTracked) {
        allocate(16);
        departedScratch = new int[maxTracked + 1];
    }

    /**
     * Makes room for {@code additional} more entities, so that indices returned by {@link #track} stay valid
     * until the next call of this method.
     */
    void ensureRoomFor(int additional) {
        if ((size + additional) * 2 > keys.length) {
            int capacity = keys.length;
            while ((size + additional) * 2 > capacity) {
                capacity <<= 1;
            }
            int[] oldKeys = keys;
            int[] oldSent = lastSent;
            int[] oldSeen = lastSeen;
            allocate(capacity);
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    int at = probe(oldKeys[i]);
                    keys[at] = oldKeys[i];
                    lastSent[at] = oldSent[i];
                    lastSeen[at] = oldSeen[i];
                }
            }
        }
    }

    /**
     * Records that {@code entity} is a candidate at {@code tick}, adding it if new (never sent).
     *
     * @return its index for {@link #ticksSinceSent(int, int)} and {@link #markSent(int, int)}
     */
    int track(int entity, int tick) {
        int at = probe(entity);
        if (keys[at] == EMPTY) {
            keys[at] = entity;
            lastSent[at] = NEVER_SENT;
            size++;
        }
        lastSeen[at] = tick;
        return at;
    }

    /** Ticks since the entity at {@code index} was last sent, or {@link #NEVER_SENT} if it never was. */
    int ticksSinceSent(int index, int tick) {
        int sent = lastSent[index];
        return sent == NEVER_SENT ? NEVER_SENT : tick - sent;
    }

    void markSent(int index, int tick) {
        lastSent[index] = tick;
    }

    /** Forgets everything (the observer left). */
    public void clear() {
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** Number of entities this observer currently knows. */
    public int knownCount() {
        return size;
    }

    /** True if {@code entity} has been sent to this observer and is still in its area of interest. */
    public boolean hasBeenSent(int entity) {
        int at = probe(entity);
        return keys[at] != EMPTY && lastSent[at] != NEVER_SENT;
    }

    /**
     * Forgets the entities that were not candidates at {@code tick} and writes their ids into {@code departed}.
     *
     * @return how many departed (at most {@code departed.length} are written; the rest are found next time)
     */
    public int forgetDeparted(int tick, int[] departed) {
        int found = 0;
        for (int i = 0; i < keys.length && found < departedScratch.length; i++) {
            if (keys[i] != EMPTY && lastSeen[i] != tick) {
                departedScratch[found++] = keys[i];
            }
        }
        int written = 0;
        for (int i = 0; i < found; i++) {
            remove(departedScratch[i]);
            if (written < departed.length) {
                departed[written++] = departedScratch[i];
            }
        }
        return written;
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        Arrays.fill(keys, EMPTY);
        lastSent = new int[capacity];
        lastSeen = new int[capacity];
        mask = capacity - 1;
    }

    /** Index holding {@code entity}, or the empty index where it would go. */
    private int probe(int entity) {
        int at = mix(entity) & mask;
        while (keys[at] != EMPTY && keys[at] != entity) {
            at = (at + 1) & mask;
        }
        return at;
    }

    private void remove(int entity) {
        int at = probe(entity);
        if (keys[at] == EMPTY) {
            return;
        }
        keys[at] = EMPTY;
        size--;
        // Backward shift: move later members of the probe run into the hole so lookups never stop early.
        int hole = at;
        for (int next = (at + 1) & mask; keys[next] != EMPTY; next = (next + 1) & mask) {
            int home = mix(keys[next]) & mask;
            boolean movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
            if (movable) {
                keys[hole] = keys[next];
                lastSent[hole] = lastSent[next];
                lastSeen[hole] = lastSeen[next];
                keys[next] = EMPTY;
                hole = next;
            }
        }
    }

    static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

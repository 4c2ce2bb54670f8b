package org.worldserver.protocol;

/**
 * The last few snapshot views of one session, on the server and, the same, on the client. A view is what the
 * client knows after a snapshot: the baseline view the snapshot was encoded against, minus the entities the
 * snapshot said left, with the entity states it carried put in. Because both sides compute each view from the
 * same baseline and the same snapshot, a view both hold is exactly the same on both, and the server may encode
 * the next snapshot against any view the client acknowledged: lost snapshots only make deltas larger.
 *
 * <p>A ring of {@code capacity} views by tick (tick 0 means none). Reuses its arrays; not thread-safe.
 */
public final class SnapshotViews {

    private final int[] ticks;
    private final EntityStates[] views;
    private int next;
    /** Where the next view is merged; then it takes the place of the oldest view, which becomes the scratch. */
    private EntityStates scratch = new EntityStates(64);

    public SnapshotViews(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        ticks = new int[capacity];
        views = new EntityStates[capacity];
        for (int i = 0; i < capacity; i++) {
            views[i] = new EntityStates(64);
        }
    }

    /** The view after snapshot {@code tick}, or null if it is not held (tick 0: none). */
    public EntityStates view(int tick) {
        if (tick == 0) {
            return null;
        }
        for (int i = 0; i < ticks.length; i++) {
            if (ticks[i] == tick) {
                return views[i];
            }
        }
        return null;
    }

    /**
     * Computes and stores the view of {@code tick}: {@code baseline} (null: empty) without the {@code
     * departedCount} ids in {@code departed}, with {@code states} put in (a state replaces the baseline's for its
     * entity). Replaces the oldest view held.
     *
     * @return the stored view (valid until {@code capacity} more views are stored)
     */
    public EntityStates store(int tick, EntityStates baseline, int[] departed, int departedCount, EntityStates states) {
        EntityStates out = scratch;
        out.clear();
        int b = 0;
        int s = 0;
        int baseSize = baseline == null ? 0 : baseline.size();
        while (b < baseSize || s < states.size()) {
            int baseId = b < baseSize ? baseline.entityId(b) : Integer.MAX_VALUE;
            int stateId = s < states.size() ? states.entityId(s) : Integer.MAX_VALUE;
            boolean takeState = s < states.size() && (b == baseSize || stateId <= baseId);
            if (takeState) {
                copy(states, s, out);
                if (b < baseSize && baseId == stateId) {
                    b++;
                }
                s++;
            } else {
                if (!contains(departed, departedCount, baseId)) {
                    copy(baseline, b, out);
                }
                b++;
            }
        }
        int slot = next;
        next = (next + 1) % ticks.length;
        ticks[slot] = tick;
        scratch = views[slot];
        views[slot] = out;
        return out;
    }

    private static void copy(EntityStates from, int i, EntityStates to) {
        to.add(from.entityId(i), from.x(i), from.y(i), from.z(i), from.rotation(i), from.vx(i), from.vz(i));
    }

    private static boolean contains(int[] ids, int count, int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                return true;
            }
        }
        return false;
    }
}

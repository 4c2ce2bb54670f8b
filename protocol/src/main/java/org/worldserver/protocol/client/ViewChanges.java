package org.worldserver.protocol.client;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.worldserver.protocol.EntityStates;

/**
 * Which entities entered and left the client's view from one applied snapshot to the next: a merge of the
 * previous view's entity ids (kept here, sorted) with the new view's. The client's own entity is never reported.
 * Allocates only when the view grows beyond any earlier size. Not thread-safe.
 */
final class ViewChanges {

    private int[] ids = new int[64];
    private int size;

    /**
     * Calls {@code entered} for each id of {@code view} not in the previous view and {@code left} for each id of
     * the previous view not in {@code view} (in increasing id order, skipping {@code ownEntityId}), then makes
     * {@code view} the previous view.
     */
    void update(EntityStates view, int ownEntityId, IntConsumer entered, IntConsumer left) {
        int before = 0;
        int now = 0;
        while (before < size || now < view.size()) {
            int old = before < size ? ids[before] : Integer.MAX_VALUE;
            int current = now < view.size() ? view.entityId(now) : Integer.MAX_VALUE;
            if (before < size && (now == view.size() || old < current)) {
                report(left, old, ownEntityId);
                before++;
            } else if (before == size || current < old) {
                report(entered, current, ownEntityId);
                now++;
            } else {
                before++;
                now++;
            }
        }
        if (ids.length < view.size()) {
            ids = new int[Math.max(view.size(), ids.length * 2)];
        }
        for (int i = 0; i < view.size(); i++) {
            ids[i] = view.entityId(i);
        }
        size = view.size();
    }

    /** Whether {@code entityId} is in the previous view (as last {@link #update updated}). */
    boolean contains(int entityId) {
        return Arrays.binarySearch(ids, 0, size, entityId) >= 0;
    }

    private static void report(IntConsumer to, int entityId, int ownEntityId) {
        if (entityId != ownEntityId) {
            to.accept(entityId);
        }
    }
}

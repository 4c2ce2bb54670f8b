package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.EntityStates;

class ViewChangesTest {

    private static final int OWN = 2;

    private final ViewChanges changes = new ViewChanges();
    private final List<String> events = new ArrayList<>();

    private void next(int... ids) {
        EntityStates view = new EntityStates(1);
        for (int id : ids) {
            view.add(id, id * 10, 0, 0, 0, 0, 0);
        }
        events.clear();
        changes.update(view, OWN, id -> events.add("+" + id), id -> events.add("-" + id));
    }

    @Test
    void shouldReportEntersAndLeavesBetweenViewsButNeverTheOwnEntity() {
        next(1, 2, 3);
        assertEquals(List.of("+1", "+3"), events);

        next(1, 2, 3);
        assertEquals(List.of(), events, "the same view: nothing changes");

        next(-4, 1, 5, 6);
        assertEquals(List.of("+-4", "-3", "+5", "+6"), events, "own entity 2 left: not reported");

        next(6);
        assertEquals(List.of("--4", "-1", "-5"), events);

        next();
        assertEquals(List.of("-6"), events);
    }

    @Test
    void shouldKnowThePreviousViewsEntities() {
        next(1, 3, Integer.MAX_VALUE);
        assertTrue(changes.contains(3));
        assertTrue(changes.contains(Integer.MAX_VALUE));
        assertFalse(changes.contains(2));

        next(Integer.MAX_VALUE);
        assertEquals(List.of("-1", "-3"), events);
        assertFalse(changes.contains(3));
    }

    @Test
    void shouldHandleViewsLargerThanItsInitialCapacity() {
        int[] many = new int[200];
        for (int i = 0; i < many.length; i++) {
            many[i] = 100 + i * 2;
        }
        next(many);
        assertEquals(200, events.size());
        int[] shifted = new int[200];
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = 101 + i * 2; // every id changes
        }
        next(shifted);
        assertEquals(400, events.size());
        assertEquals("-100", events.get(0));
        assertEquals("+101", events.get(1));
        assertTrue(changes.contains(499));
        assertFalse(changes.contains(498));
    }
}

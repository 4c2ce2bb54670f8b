package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputHistoryTest {

    private final InputHistory history = new InputHistory(4);

    private List<String> after(int applied) {
        List<String> seen = new ArrayList<>();
        int n = history.forEachAfter(applied, (seq, time, ix, iz, fx, fz) -> seen.add(seq + "@" + time + ":" + ix));
        assertEquals(seen.size(), n);
        assertEquals(n, history.countAfter(applied));
        return seen;
    }

    @Test
    void shouldVisitTheInputsAfterTheAppliedOneOldestFirst() {
        assertEquals(List.of(), after(0));
        for (int s = 1; s <= 3; s++) {
            history.record(s, s * 1000L, s / 10f, 0, 0, 1);
        }
        assertEquals(List.of("1@1000:0.1", "2@2000:0.2", "3@3000:0.3"), after(0));
        assertEquals(List.of("3@3000:0.3"), after(2));
        assertEquals(List.of(), after(3));
        assertEquals(List.of(), after(7), "an applied sequence ahead of the newest");
    }

    @Test
    void shouldKeepOnlyTheNewestInputs() {
        for (int s = 10; s <= 16; s++) {
            history.record(s, s, 0, 0, 0, 1);
        }
        assertEquals(List.of("13@13:0.0", "14@14:0.0", "15@15:0.0", "16@16:0.0"), after(0));
        assertEquals(List.of("16@16:0.0"), after(15));
    }

    @Test
    void shouldRefuseAGapInSequences() {
        history.record(1, 0, 0, 0, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> history.record(3, 0, 0, 0, 0, 1));
    }
}

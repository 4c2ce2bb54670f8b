package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SloTest {

    @Test
    void shouldNameWhatBrokeTheObjective() {
        Slo slo = Slo.DEFAULT;
        assertNull(slo.breach(99.9, 0.0005, 19.5, 20));
        assertEquals("p99 142.0 ms > 100 ms", slo.breach(142, 0, 20, 20));
        assertEquals("loss 0.50 % > 0.10 %", slo.breach(50, 0.005, 20, 20));
        assertEquals("18.0 snapshots/s per client < 95 % of 20 Hz (tick dilation)", slo.breach(50, 0, 18, 20));
    }
}

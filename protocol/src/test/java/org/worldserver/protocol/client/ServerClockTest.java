package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServerClockTest {

    private final ServerClock clock = new ServerClock();

    @Test
    void shouldFollowTheLeastDelayedDatagramAndSinkSlowlyOnLaterOnes() {
        assertFalse(clock.synced());
        assertEquals(500, clock.serverTimeMicros(500));

        clock.observe(1_000_000, 10_000); // offset 990,000 (minus that datagram's delay)
        assertTrue(clock.synced());
        assertEquals(1_000_000, clock.serverTimeMicros(10_000));

        clock.observe(1_050_000, 58_000); // 2 ms less delayed: taken at once
        assertEquals(992_000, clock.serverTimeMicros(0));

        clock.observe(1_100_000, 118_000); // 10 ms late: moves 1/32 of the way
        assertEquals(992_000 - 10_000 / 32, clock.serverTimeMicros(0));
    }

    @Test
    void shouldRestartWhenTheServersClockJumpsBack() {
        clock.observe(5_000_000, 0);
        clock.observe(2_000_000, 10_000); // another node's clock, 3 s behind
        assertEquals(1_990_000, clock.serverTimeMicros(0));
    }
}

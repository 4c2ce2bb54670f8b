package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void shouldLoadTheShippedScenarios() {
        Scenario walk = Scenario.load("random-walk");
        assertEquals("random-walk", walk.name());
        assertEquals(1.0, walk.randomWalk());
        assertEquals(
                Duration.ofSeconds(2), walk.with(100, Duration.ofSeconds(60)).ramp(), "100 at 50/s");
        Scenario hotspot = Scenario.load("hotspot");
        assertEquals(0.9, hotspot.hotspot());
        assertEquals(512, hotspot.hotspotX());
        Scenario more = walk.with(1000, Duration.ofSeconds(5));
        assertEquals(1000, more.avatars());
        assertEquals(Duration.ofSeconds(5), more.steady());
    }

    @Test
    void shouldRefuseBadScenariosWithAClearMessage() {
        assertMessage(
                "no scenario 'nope': neither a file nor one of random-walk, hotspot", () -> Scenario.load("nope"));
        assertMessage("bad scenario: no scenario { ... } block", () -> parse(""));
        assertMessage(
                "bad scenario: String: 1: No configuration setting found for key 'scenario.input-hz'",
                () -> parse("scenario { name = x, avatars = 5, arrival-rate = 1, duration = 1s }"));
        assertMessage(
                "bad scenario: String: 1: scenario.avatars has type STRING rather than NUMBER",
                () -> parse("scenario { name = x, avatars = many, arrival-rate = 1, duration = 1s, input-hz = 20 }"));
        assertMessage(
                "scenario.avatars must be 1..100000, was 0",
                () -> parse("scenario { name = x, avatars = 0, arrival-rate = 1, duration = 1s, input-hz = 20 }"));
        assertMessage(
                "scenario.input-hz must be 1..60, was 100",
                () -> parse("scenario { name = x, avatars = 5, arrival-rate = 1, duration = 1s, input-hz = 100 }"));
        assertMessage(
                "scenario.arrival-rate must be in (0, 10000] avatars/s, was -1.0",
                () -> parse("scenario { name = x, avatars = 5, arrival-rate = -1, duration = 1s, input-hz = 20 }"));
        IllegalArgumentException shares = assertThrows(
                IllegalArgumentException.class,
                () -> parse("scenario { name = x, avatars = 5, arrival-rate = 1, duration = 1s, input-hz = 20,"
                        + " behaviours { random-walk = 0.8, hotspot = 0.5 } }"));
        assertTrue(shares.getMessage().startsWith("scenario.behaviours: random-walk and hotspot are shares"));
    }

    private static Scenario parse(String hocon) {
        return Scenario.parse(ConfigFactory.parseString(hocon));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable run) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, run).getMessage());
    }
}

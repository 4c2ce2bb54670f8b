package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void shouldLoadTheShippedScenarios() {
        Scenario walk = Scenario.load("random-walk");
        assertEquals("random-walk", walk.name());
        assertEquals(1.0, walk.mix().randomWalk());
        assertEquals(
                Duration.ofSeconds(2), walk.with(100, Duration.ofSeconds(60)).ramp(), "100 at 50/s");
        Scenario hotspot = Scenario.load("hotspot");
        assertEquals(0.9, hotspot.mix().hotspot());
        assertEquals(512, hotspot.hotspotX());
        Scenario more = walk.with(1000, Duration.ofSeconds(5));
        assertEquals(1000, more.avatars());
        assertEquals(Duration.ofSeconds(5), more.steady());
        assertEquals(Scenario.Churn.DEFAULT, more.churn(), "no churn block: the defaults");

        Scenario churn = Scenario.load("churn");
        assertEquals(new Scenario.Mix(0.34, 0, 0.33, 0.33), churn.mix());
        assertEquals(
                new Scenario.Churn(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(5)),
                churn.churn());
        assertEquals(new Scenario.Area(0, 0, 1024, 1024), churn.area());
        assertEquals(null, churn.scatter(), "they stay where they spawn");

        Scenario capacity = Scenario.load("capacity");
        assertEquals(new Scenario.Scatter(25, 15), capacity.scatter());
        assertEquals(new Scenario.Area(0, 0, 2048, 2048), capacity.area());
        assertEquals(Duration.ofSeconds(400), capacity.ramp(), "2,000 at 5 a second");
        assertEquals(Duration.ofSeconds(20), capacity.warmUp());
        assertEquals(Duration.ofSeconds(5), walk.warmUp(), "the default: the first window");
        assertEquals("churn", churn.region());
        assertEquals("{\"name\":\"churn\",\"teleport\":\"on\"}", churn.regionDefinition());
        assertEquals("lobby", walk.region(), "the default: the lobby, which exists");
        assertEquals(null, walk.regionDefinition());
    }

    @Test
    void shouldRefuseBadScenariosWithAClearMessage() {
        assertMessage(
                "no scenario 'nope': neither a file nor one of random-walk, hotspot, churn, capacity",
                () -> Scenario.load("nope"));
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
        String base = "scenario { name = x, avatars = 5, arrival-rate = 1, duration = 1s, input-hz = 20, ";
        assertMessage(
                "scenario.behaviours: the shares must sum to at most 1 (the rest stand idle), were random-walk 0.8,"
                        + " hotspot 0.0, login-churn 0.5, teleport-churn 0.0",
                () -> parse(base + "behaviours { random-walk = 0.8, login-churn = 0.5 } }"));
        assertMessage(
                "scenario.behaviours: each share must be in [0, 1], were random-walk 0.0, hotspot 0.0, login-churn 0.0,"
                        + " teleport-churn -0.1",
                () -> parse(base + "behaviours { teleport-churn = -0.1 } }"));
        assertMessage(
                "scenario.churn.session-length must be 1s..24h, was PT0.5S",
                () -> parse(base + "churn { session-length = 500ms } }"));
        assertMessage(
                "scenario.churn.teleport-every must be 200ms..24h (a session may send 10 requests a second), was PT0.05S",
                () -> parse(base + "churn { teleport-every = 50ms } }"));
        assertMessage(
                "scenario.churn.offline must be 0..1h, was PT-1S", () -> parse(base + "churn { offline = -1s } }"));
        assertMessage(
                "scenario.area: min must be below max, finite metres, were [100.0, 0.0] and [50.0, 1024.0]",
                () -> parse(base + "area { min = [100, 0], max = [50, 1024] } }"));
        assertMessage(
                "scenario.region must be a region's name (1-64 of a-z 0-9 -), was Lobby!",
                () -> parse(base + "region = \"Lobby!\" }"));
        assertMessage(
                "bad scenario: String: 1: No configuration setting found for key 'scenario.region.name'",
                () -> parse(base + "region { teleport = on } }"));
        assertMessage(
                "scenario.area.max must be [x, z] metres, was [1.0, 2.0, 3.0]",
                () -> parse(base + "area { max = [1, 2, 3] } }"));
        assertMessage(
                "scenario.scatter.group-size must be 1..10000, was 0",
                () -> parse(base + "scatter { group-size = 0, radius = 10 } }"));
        assertMessage(
                "bad scenario: String: 1: No configuration setting found for key 'scenario.scatter.radius'",
                () -> parse(base + "scatter { group-size = 5 } }"));
    }

    private static Scenario parse(String hocon) {
        return Scenario.parse(ConfigFactory.parseString(hocon));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable run) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, run).getMessage());
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.loadtest.LoadTestCommand;
import org.worldserver.loadtest.Scenario;
import org.worldserver.loadtest.Slo;

/**
 * The load-test harness end to end against a whole node on the real Cassandra: 20 bots of the shipped random-walk
 * scenario arrive at 20 per second, walk for 4 s and leave; the summary counts them all, measures input → observed
 * latency between bots (they start together at the lobby's spawn point, so they see each other), the snapshot
 * rate, loss and bandwidth, and the latency distribution is written.
 */
class LoadTestIT extends OneNodeIT {

    @Test
    void shouldRunASmallScenarioAndReportWhatItMeasured(@TempDir Path out) throws Exception {
        Scenario scenario = Scenario.load("random-walk").with(20, Duration.ofSeconds(4));
        JsonNode summary =
                LoadTestCommand.run(scenario, URI.create(node.operatorUri().toString()), out);

        assertTrue(summary.get("ok").asBoolean(), summary.toString());
        assertEquals("random-walk", summary.get("scenario").asText());
        assertEquals(20, summary.get("avatars_peak").asInt(), summary.toString());
        assertEquals(0, summary.get("login_failures").asInt(), summary.toString());
        assertEquals(0, summary.get("denied").asInt(), summary.toString());
        JsonNode latency = summary.get("latency_ms");
        assertTrue(latency.get("observations").asLong() > 100, summary.toString());
        assertTrue(latency.get("p50").asDouble() > 0 && latency.get("p50").asDouble() < 1000, summary.toString());
        assertTrue(latency.get("p99").asDouble() >= latency.get("p50").asDouble(), summary.toString());
        double tickHz = summary.get("tick_hz").asDouble();
        assertTrue(tickHz > 10 && tickHz <= 21, "a snapshot per 20 Hz tick: " + summary);
        assertTrue(summary.get("loss_ratio").asDouble() < 0.05, summary.toString());
        assertTrue(summary.get("bytes_per_client_s").asDouble() > 0, summary.toString());
        // Here node and harness share one JVM, so both read the same process's CPU; apart, they are separate.
        assertTrue(summary.get("server_cpu").asDouble() > 0, summary.toString());
        assertTrue(summary.get("harness_cpu").asDouble() > 0, summary.toString());

        JsonNode written = new ObjectMapper().readTree(Files.readString(out.resolve("summary.json")));
        assertEquals(summary.toString(), written.toString());
        assertTrue(Files.readString(out.resolve("latency.hgrm")).contains("#[Mean"), "HdrHistogram's format");
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("<h1>Load test: random-walk</h1>") && report.contains("<polyline "), report);
        JsonNode timeline = new ObjectMapper().readTree(Files.readString(out.resolve("timeline.json")));
        assertTrue(timeline.isArray() && timeline.size() > 0, timeline.toString());
        assertTrue(timeline.get(timeline.size() - 1).get("latencyP99").isNumber(), timeline.toString());
    }

    /**
     * Churn end to end: in a region the scenario defines (teleports allowed), login-churn bots leave after about
     * 2 s and log in again 0.5 s later, teleport-churn bots jump every second or so; every login succeeds, every
     * teleport is done, and latency is still observed across the sessions.
     */
    @Test
    void shouldChurnSessionsAndTeleportsInARegionOfItsOwn(@TempDir Path out) throws Exception {
        Scenario scenario = Scenario.parse(ConfigFactory.parseString("""
                scenario {
                  name = "churn-it", avatars = 12, arrival-rate = 12, duration = 6s, input-hz = 20
                  region { name = "churn-it", teleport = on, max = [512, 64, 512], cell-size = 128 }
                  behaviours { random-walk = 0.2, login-churn = 0.4, teleport-churn = 0.4 }
                  churn { session-length = 2s, offline = 500ms, teleport-every = 1s }
                  area { min = [0, 0], max = [512, 512] }
                }
                """));
        URI target = URI.create(node.operatorUri().toString());
        JsonNode summary = LoadTestCommand.run(scenario, target, out);

        assertTrue(summary.get("ok").asBoolean(), summary.toString());
        assertEquals(0, summary.get("login_failures").asInt(), summary.toString());
        assertEquals(0, summary.get("denied").asInt(), summary.toString());
        assertEquals(0, summary.get("connect_timeouts").asInt(), summary.toString());
        int logouts = summary.get("logouts").asInt();
        int sessions = summary.get("sessions").asInt();
        assertTrue(logouts >= 4, "each login-churn bot left at least once: " + summary);
        assertTrue(
                sessions > 12 && sessions <= 12 + logouts, "the bots that left came back, none more often: " + summary);
        JsonNode teleports = summary.get("teleports");
        assertTrue(teleports.get("done").asInt() >= 10, summary.toString());
        assertEquals(0, teleports.get("refused").asInt(), summary.toString());
        assertEquals(0, teleports.get("failed").asInt(), summary.toString());
        assertTrue(summary.get("login_ms").get("p50").asDouble() > 0, summary.toString());
        assertTrue(summary.get("latency_ms").get("observations").asLong() > 100, summary.toString());

        // The same definition again is fine; another one under its name is refused before any bot starts.
        LoadTestCommand.run(scenario.with(1, Duration.ofSeconds(1)), target, out.resolve("again"));
        Scenario clash = Scenario.parse(ConfigFactory.parseString(
                "scenario { name = x, avatars = 1, arrival-rate = 1, duration = 1s, input-hz = 20,"
                        + " region { name = churn-it, teleport = off } }"));
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> LoadTestCommand.run(clash, target, out.resolve("x")));
        assertTrue(refused.getMessage().contains("region-exists"), refused.getMessage());
    }

    /** The capacity search's wiring: an objective nothing breaks holds to the end; one everything breaks, at once. */
    @Test
    void shouldStopTheCapacitySearchAtTheFirstWindowThatBreaksTheObjective(@TempDir Path out) throws Exception {
        Scenario scenario = Scenario.load("random-walk").with(10, Duration.ofSeconds(11));
        URI target = URI.create(node.operatorUri().toString());

        JsonNode held = LoadTestCommand.run(scenario, target, out.resolve("lax"), new Slo(60_000, 1, 0));
        assertEquals(10, held.get("avatars_at_slo").asInt(), held.toString());
        assertTrue(held.get("slo_breach").isNull(), held.toString());

        JsonNode broke = LoadTestCommand.run(scenario, target, out.resolve("strict"), new Slo(0.001, 1, 0));
        assertTrue(broke.get("slo_breach").asText().startsWith("p99 "), broke.toString());
        assertEquals(0, broke.get("avatars_at_slo").asInt(), "the first judged window broke it: " + broke);
        assertTrue(broke.get("duration_s").asDouble() < 11, "the run stopped there: " + broke);
    }
}

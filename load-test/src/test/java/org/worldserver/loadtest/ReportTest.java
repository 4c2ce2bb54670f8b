package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void shouldDrawTheTimelineInOneSelfContainedPage() {
        ObjectNode summary = new ObjectMapper()
                .createObjectNode()
                .put("scenario", "<hot>spot")
                .put("avatars", 3);
        List<LoadTest.Sample> timeline = List.of(
                new LoadTest.Sample(1, 1, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0), // nothing observed yet
                new LoadTest.Sample(2, 3, 40, 90, 120, 30_000, 60, 0),
                new LoadTest.Sample(3, 3, 45, 80, 100, 31_000, 60, 2));
        List<Telemetry.Point> resources = List.of(
                new Telemetry.Point(1, 0.5, 0.25, Double.NaN), // the node's metrics unreadable that second
                new Telemetry.Point(2, 1.0, 0.5, 200));
        String html = Report.html(summary, timeline, resources);

        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("&lt;hot&gt;spot"), "text is escaped");
        assertEquals(5, html.split("<svg ", -1).length - 1, "five charts");
        assertEquals(
                9,
                html.split("<polyline ", -1).length - 1,
                "p50, p99, max; connected; KB/s, snapshots/s; server and harness CPU; heap");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("http"), "nothing fetched");
        // The connected line has all three seconds; the latency lines skip the second with no observation.
        assertTrue(html.contains("stroke=\"#2ca02c\" points=\"280.0,173.3 520.0,40.0 760.0,40.0 \""), html);
        assertTrue(html.contains("stroke=\"#1f77b4\" points=\"520.0,173.3 760.0,165.0 \""), html);
        assertTrue(html.contains("stroke=\"#d62728\" points=\"400.0,140.0 760.0,40.0 \""), "server CPU: " + html);
        assertTrue(html.contains("stroke=\"#7f7f7f\" points=\"760.0,40.0 \""), "heap, NaN skipped: " + html);
    }
}

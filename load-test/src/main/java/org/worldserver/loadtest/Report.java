package org.worldserver.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page (no scripts, no external files) with the run's summary and charts
 * over time as inline SVG: input → observed latency (p50, p99, max of each second), bots connected, what the bots
 * received (KB/s and snapshots/s), the CPU of server and harness, and the server's heap.
 */
final class Report {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 200;
    private static final int MARGIN = 40;

    private Report() {}

    static String html(JsonNode summary, List<LoadTest.Sample> timeline, List<Telemetry.Point> resources) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Load test: ")
                .append(escape(summary.path("scenario").asText()))
                .append("</title>\n<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}svg{display:block;margin:1em 0}")
                .append("</style></head><body>\n<h1>Load test: ")
                .append(escape(summary.path("scenario").asText()))
                .append("</h1>\n<table>");
        summary.fields()
                .forEachRemaining(e -> b.append("<tr><th>")
                        .append(escape(e.getKey()))
                        .append("</th><td>")
                        .append(escape(e.getValue().toString()))
                        .append("</td></tr>"));
        b.append("</table>\n");
        chart(
                b,
                "Input → observed latency, ms (corrected; p50 blue, p99 orange, max grey)",
                timeline,
                LoadTest.Sample::seconds,
                List.of(
                        new Line<LoadTest.Sample>("#1f77b4", LoadTest.Sample::latencyP50),
                        new Line<LoadTest.Sample>("#ff7f0e", LoadTest.Sample::latencyP99),
                        new Line<LoadTest.Sample>("#999999", LoadTest.Sample::latencyMax)));
        chart(
                b,
                "Bots connected",
                timeline,
                LoadTest.Sample::seconds,
                List.of(new Line<LoadTest.Sample>("#2ca02c", s -> s.connected())));
        chart(
                b,
                "Received by all bots: KB/s (purple), snapshots/s (brown)",
                timeline,
                LoadTest.Sample::seconds,
                List.of(
                        new Line<LoadTest.Sample>("#9467bd", s -> s.bytesPerSecond() / 1000),
                        new Line<LoadTest.Sample>("#8c564b", LoadTest.Sample::snapshotsPerSecond)));
        chart(
                b,
                "CPU, cores: server (red), harness (blue)",
                resources,
                Telemetry.Point::seconds,
                List.of(
                        new Line<>("#d62728", Telemetry.Point::serverCores),
                        new Line<>("#1f77b4", Telemetry.Point::harnessCores)));
        chart(
                b,
                "Server heap in use, MB",
                resources,
                Telemetry.Point::seconds,
                List.of(new Line<Telemetry.Point>("#7f7f7f", Telemetry.Point::serverHeapMb)));
        return b.append("</body></html>\n").toString();
    }

    private record Line<T>(String colour, ToDoubleFunction<T> value) {}

    /**
     * A chart of {@code lines} over time ({@code seconds} of each point), all on one axis from 0 to their largest
     * value.
     */
    private static <T> void chart(
            StringBuilder b, String title, List<T> points, ToDoubleFunction<T> seconds, List<Line<T>> lines) {
        double maxT = points.isEmpty() ? 1 : Math.max(1, seconds.applyAsDouble(points.get(points.size() - 1)));
        double maxY = 0;
        for (T s : points) {
            for (Line<T> l : lines) {
                double v = l.value().applyAsDouble(s);
                if (Double.isFinite(v)) {
                    maxY = Math.max(maxY, v);
                }
            }
        }
        maxY = maxY == 0 ? 1 : maxY;
        b.append("<h2>").append(escape(title)).append("</h2>\n");
        b.append(String.format(
                Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
                WIDTH + 2 * MARGIN,
                HEIGHT + 2 * MARGIN,
                WIDTH + 2 * MARGIN,
                HEIGHT + 2 * MARGIN));
        b.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>",
                MARGIN,
                MARGIN,
                WIDTH,
                HEIGHT));
        b.append(String.format(
                Locale.ROOT,
                "<text x=\"2\" y=\"%d\">%.1f</text><text x=\"2\" y=\"%d\">0</text>"
                        + "<text x=\"%d\" y=\"%d\">%.0f s</text>",
                MARGIN + 4,
                maxY,
                MARGIN + HEIGHT,
                MARGIN + WIDTH - 30,
                MARGIN + HEIGHT + 20,
                maxT));
        for (Line<T> l : lines) {
            b.append("<polyline fill=\"none\" stroke=\"").append(l.colour()).append("\" points=\"");
            for (T s : points) {
                double v = l.value().applyAsDouble(s);
                if (Double.isFinite(v)) {
                    b.append(String.format(
                            Locale.ROOT,
                            "%.1f,%.1f ",
                            MARGIN + seconds.applyAsDouble(s) / maxT * WIDTH,
                            MARGIN + HEIGHT - v / maxY * HEIGHT));
                }
            }
            b.append("\"/>");
        }
        b.append("</svg>\n");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}

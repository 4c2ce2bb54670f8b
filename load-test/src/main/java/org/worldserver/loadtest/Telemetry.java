package org.worldserver.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The CPU and heap of the node under test, read from its {@code /metrics} ({@code process_cpu_seconds_total},
 * {@code jvm_memory_used_bytes{area="heap"}}), and this harness's own CPU, once a second on a thread of its own
 * (never the bots' polling thread) while a run lasts. On one machine bots and server share the cores: the two CPU
 * figures side by side say who used them.
 */
final class Telemetry implements AutoCloseable {

    /** One second: CPU cores each process used in it, and the node's heap in use at its end (MB; NaN if unread). */
    record Point(double seconds, double serverCores, double harnessCores, double serverHeapMb) {}

    private record Reading(double cpuSeconds, double heapBytes) {}

    private final URI target;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadtest-telemetry");
        t.setDaemon(true);
        return t;
    });
    private final long startNanos = System.nanoTime();
    private final List<Point> points = new ArrayList<>();
    private final Reading first;
    private final double firstHarnessSeconds;
    private Reading last;
    private double lastHarnessSeconds;
    private long lastNanos = startNanos;

    /** Reads once now, then every second until {@link #close}. */
    Telemetry(URI target) {
        this.target = target;
        this.first = read();
        this.last = first;
        this.firstHarnessSeconds = harnessCpuSeconds();
        this.lastHarnessSeconds = firstHarnessSeconds;
        timer.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        Reading r = read();
        double harness = harnessCpuSeconds();
        double seconds = (now - lastNanos) / 1e9;
        points.add(new Point(
                (now - startNanos) / 1e9,
                (r.cpuSeconds() - last.cpuSeconds()) / seconds,
                (harness - lastHarnessSeconds) / seconds,
                r.heapBytes() / 1e6));
        last = r;
        lastHarnessSeconds = harness;
        lastNanos = now;
    }

    /** The seconds sampled so far. */
    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    /** CPU cores the node used on average since the start (NaN if its metrics could not be read). */
    synchronized double serverCores() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return (read().cpuSeconds() - first.cpuSeconds()) / seconds;
    }

    /** CPU cores this process used on average since the start. */
    synchronized double harnessCores() {
        return (harnessCpuSeconds() - firstHarnessSeconds) / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** The most heap the node had in use at any sample, MB (NaN if never read). */
    synchronized double serverHeapPeakMb() {
        return points.stream()
                .mapToDouble(Point::serverHeapMb)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static double harnessCpuSeconds() {
        return ProcessHandle.current()
                        .info()
                        .totalCpuDuration()
                        .map(Duration::toNanos)
                        .orElse(0L)
                / 1e9;
    }

    /** The node's CPU seconds so far and heap in use (NaN each when they cannot be read). */
    private Reading read() {
        double cpu = Double.NaN;
        double heap = Double.NaN;
        try {
            HttpResponse<String> metrics = http.send(
                    HttpRequest.newBuilder(target.resolve("/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("process_cpu_seconds_total ")) {
                    cpu = value(line);
                } else if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"} ")) {
                    heap = value(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable this time: NaN
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Reading(cpu, heap);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
    }
}

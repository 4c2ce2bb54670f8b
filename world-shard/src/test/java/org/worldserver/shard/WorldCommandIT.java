package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.FreePorts;

/**
 * The README's run command, {@code bin/world start}, end to end: it starts the project-managed Cassandra and a
 * node on free loopback ports, the node becomes ready, serves its operator endpoints, refuses a second start
 * on the same data dir, and on SIGTERM leaves the cluster and stops the Cassandra it started.
 */
class WorldCommandIT {

    private static final Path ROOT =
            Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
        // A Cassandra that a failed test left behind: stop it through the launcher, by its pid file.
        if (Files.exists(dataDir.resolve("cassandra/cassandra.pid"))) {
            world(dataDir.resolve("stop-cassandra.log"), "cassandra", "stop", "--data-dir", dataDir.toString())
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** A {@code bin/world start} under test, with the flags it was given (to reuse for related commands). */
    private record Node(Process process, int httpPort, List<String> flags, Path log) {}

    private Node startNode() throws Exception {
        int[] ports = FreePorts.allocate(4);
        int httpPort = ports[1];
        List<String> flags = List.of(
                "--data-dir", dataDir.toString(),
                "--port", Integer.toString(ports[0]),
                "--http-port", Integer.toString(httpPort),
                "--cassandra-port", Integer.toString(ports[2]),
                "--cassandra-storage-port", Integer.toString(ports[3]));
        Path log = dataDir.resolve("start.log");
        Process process = world(log, concat(List.of("start"), flags));
        long startedAt = System.nanoTime();
        awaitReadiness(process, httpPort, 200, READY_TIMEOUT, log);
        System.out.printf("bin/world start → /ready in %.1f s%n", (System.nanoTime() - startedAt) / 1e9);
        return new Node(process, httpPort, flags, log);
    }

    @Test
    void shouldStartAReadyNodeWithItsOwnCassandraAndStopBothOnSigterm() throws Exception {
        Node node = startNode();
        int httpPort = node.httpPort();

        assertEquals(200, get(httpPort, "/alive").statusCode());
        JsonNode info = new ObjectMapper().readTree(get(httpPort, "/info").body());
        assertEquals("Up", info.get("status").asText());
        assertEquals(1, info.get("members").size());
        assertEquals(info.get("address").asText(), info.get("leader").asText());
        HttpResponse<String> metrics = get(httpPort, "/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(metrics.body().contains("\nworld_cluster_self_up 1.0\n"), metrics.body());
        assertTrue(metrics.body().contains("\njvm_memory_used_bytes{area=\"heap\"}"), metrics.body());
        // The lobby's 16 cells start when first addressed (here by /regions) and then tick on their own.
        JsonNode regions = new ObjectMapper().readTree(get(httpPort, "/regions").body());
        assertEquals(1, regions.size());
        assertEquals("lobby", regions.get(0).get("definition").get("name").asText());
        assertTrue(regions.get(0).get("open").asBoolean());
        assertEquals(0, regions.get(0).get("totals").get("avatars").asInt(), regions.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode lobby =
                new ObjectMapper().readTree(get(httpPort, "/regions/lobby").body());
        while (lobby.get("totals").get("ticks").asLong() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling a condition with a deadline
            lobby = new ObjectMapper().readTree(get(httpPort, "/regions/lobby").body());
        }
        assertTrue(lobby.get("totals").get("ticks").asLong() > 0, lobby.toString());
        assertEquals(16, lobby.get("cells").size(), "1024 m / 256 m cells = 4 × 4");
        assertEquals(4, lobby.get("shards").size(), "blocks of 2 × 2 cells share a shard");
        assertEquals("lobby:1:0", lobby.get("shards").get(2).get("shard").asText(), lobby.toString());
        assertEquals(
                List.of("lobby:2:0", "lobby:2:1", "lobby:3:0", "lobby:3:1"),
                sortedTexts(lobby.get("shards").get(2).get("cells")));
        String cellMetrics = get(httpPort, "/metrics").body();
        assertTrue(cellMetrics.contains("\nworld_node_cells 16.0\n"), cellMetrics);
        assertTrue(cellMetrics.contains("\nworld_node_shards 4.0\n"), cellMetrics);
        assertTrue(cellMetrics.contains("world_shard_avatars{shard=\"lobby:1:1\"} 0.0"), cellMetrics);
        assertTrue(
                cellMetrics.contains("world_cell_avatars{") && cellMetrics.contains("cell=\"lobby:3:3\""), cellMetrics);
        HttpResponse<String> unknown = get(httpPort, "/regions/atlantis");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("region-not-found"), unknown.body());
        long cassandraPid = Long.parseLong(
                Files.readString(dataDir.resolve("cassandra/cassandra.pid")).strip());

        Path secondLog = dataDir.resolve("second.log");
        Process second = world(secondLog, concat(List.of("start"), node.flags()));
        assertTrue(second.waitFor(60, TimeUnit.SECONDS), "second start did not return");
        assertEquals(1, second.exitValue());
        assertTrue(
                Files.readString(secondLog).contains("a world node is already running with data dir"),
                Files.readString(secondLog));
        assertEquals(200, get(httpPort, "/ready").statusCode(), "the running node must be unaffected");

        String output = stopWithSigterm(node);
        assertTrue(output.contains("Exiting completed"), "node did not leave the cluster:\n" + output);
        assertTrue(output.contains("Cassandra stopped"), output);
        assertFalse(ProcessHandle.of(cassandraPid).map(ProcessHandle::isAlive).orElse(false), "Cassandra still runs");
        assertFalse(Files.exists(dataDir.resolve("cassandra/cassandra.pid")));
    }

    @Test
    void shouldReportNotReadyWhileCassandraIsDownAndReadyAgainWhenItReturns() throws Exception {
        Node node = startNode();

        assertEquals(0, runToEnd("cassandra-stop.log", concat(List.of("cassandra", "stop"), node.flags())));
        // Pekko Management answers 500, with the failing check named in the body, while a readiness check fails.
        awaitReadiness(node.process(), node.httpPort(), 500, Duration.ofSeconds(30), node.log());
        assertEquals(200, get(node.httpPort(), "/alive").statusCode(), "the process itself is alive");

        assertEquals(0, runToEnd("cassandra-start.log", concat(List.of("cassandra", "start"), node.flags())));
        awaitReadiness(node.process(), node.httpPort(), 200, Duration.ofSeconds(90), node.log());

        // The operator's stop command: returns once the node and the Cassandra it started have stopped.
        assertEquals(0, runToEnd("stop.log", List.of("stop", "--data-dir", dataDir.toString())));
        assertTrue(node.process().waitFor(10, TimeUnit.SECONDS), "bin/world start still running after stop");
        assertEquals(0, node.process().exitValue(), read(node.log()));
        assertFalse(Files.exists(dataDir.resolve("cassandra/cassandra.pid")));
        assertEquals(1, runToEnd("stop-again.log", List.of("stop", "--data-dir", dataDir.toString())));
    }

    @Test
    void shouldStopTheCassandraItStartedWhenTheNodeCannotStart() throws Exception {
        int[] ports = FreePorts.allocate(4);
        try (ServerSocket squatter = new ServerSocket(ports[0], 1, InetAddress.getByName("127.0.0.1"))) {
            Path log = dataDir.resolve("start.log");
            Process start = world(
                    log,
                    List.of(
                            "start",
                            "--data-dir",
                            dataDir.toString(),
                            "--port",
                            Integer.toString(ports[0]),
                            "--http-port",
                            Integer.toString(ports[1]),
                            "--cassandra-port",
                            Integer.toString(ports[2]),
                            "--cassandra-storage-port",
                            Integer.toString(ports[3])));
            assertTrue(start.waitFor(180, TimeUnit.SECONDS), "bin/world start did not give up");
            String output = read(log);
            assertEquals(1, start.exitValue(), output);
            assertTrue(output.contains("world node: could not start"), output);
            assertTrue(output.contains("Cassandra stopped"), output);
            assertFalse(Files.exists(dataDir.resolve("cassandra/cassandra.pid")), output);
        }
    }

    private String stopWithSigterm(Node node) throws Exception {
        node.process().destroy();
        assertTrue(node.process().waitFor(90, TimeUnit.SECONDS), "bin/world did not stop after SIGTERM");
        String output = Files.readString(node.log());
        assertEquals(0, node.process().exitValue(), output);
        return output;
    }

    private int runToEnd(String logName, List<String> args) throws Exception {
        Path log = dataDir.resolve(logName);
        Process p = world(log, args);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), () -> "bin/world " + args + " did not finish:\n" + read(log));
        return p.exitValue();
    }

    @Test
    void shouldExitWithCode2AndAClearMessageWhenTheNamedCassandraIsUnreachable() throws Exception {
        Path log = dataDir.resolve("unreachable.log");
        long startedAt = System.nanoTime();
        int[] ports = FreePorts.allocate(3);
        Process node = world(
                log,
                List.of(
                        "start",
                        "--data-dir",
                        dataDir.toString(),
                        "--cassandra",
                        "127.0.0.1:" + ports[0],
                        "--port",
                        Integer.toString(ports[1]),
                        "--http-port",
                        Integer.toString(ports[2])));

        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not give up");
        String output = Files.readString(log);
        assertEquals(2, node.exitValue(), output);
        assertTrue(output.contains("world node: Cannot reach Cassandra at 127.0.0.1:"), output);
        System.out.printf("unreachable Cassandra → exit 2 in %.1f s%n", (System.nanoTime() - startedAt) / 1e9);
    }

    private Process world(Path log, String... args) throws IOException {
        return world(log, List.of(args));
    }

    private Process world(Path log, List<String> args) throws IOException {
        Process p = new ProcessBuilder(
                        concat(List.of("bash", ROOT.resolve("bin/world").toString()), args))
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        started.add(p);
        return p;
    }

    /** Polls {@code /ready} until it answers {@code status}, failing early if bin/world exits. */
    private void awaitReadiness(Process node, int httpPort, int status, Duration timeout, Path log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            assertTrue(node.isAlive(), () -> "bin/world exited while waiting for /ready " + status + ":\n" + read(log));
            try {
                last = get(httpPort, "/ready").statusCode();
                if (last == status) {
                    return;
                }
            } catch (ConnectException notYetBound) {
                // the operator API binds once the actor system is up
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "/ready did not answer " + status + " within " + timeout + " (last " + last + "):\n" + read(log));
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> sortedTexts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        Collections.sort(texts);
        return texts;
    }
}

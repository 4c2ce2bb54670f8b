package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.shard.gateway.GatewayDriver;

/**
 * A node in a JVM of its own for crash tests: {@code bin/world start} against the test's real Cassandra, on free
 * ports, its data in {@code dataDir}. It can be killed with SIGKILL (only the node this {@code bin/world} started,
 * found by the pid file it writes) and started again on the same ports and data; {@link #close} ends whatever is
 * still running. HTTP helpers talk to its operator API.
 */
final class NodeProcess implements AutoCloseable {

    private static final Path ROOT =
            Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;
    private final List<String> flags;
    private final int clusterPort;
    private final int httpPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();
    private Process current;

    /** @param settings configuration settings for the node, {@code KEY=VALUE} each ({@code bin/world --set}) */
    NodeProcess(Path dataDir, String... settings) throws IOException {
        this(dataDir, null, settings);
    }

    /** A node that joins the cluster of {@code seed} (started first), its data in {@code dataDir}. */
    static NodeProcess joining(Path dataDir, NodeProcess seed, String... settings) throws IOException {
        return new NodeProcess(dataDir, seed.clusterAddress(), settings);
    }

    private NodeProcess(Path dataDir, String seed, String[] settings) throws IOException {
        this.dataDir = dataDir;
        Files.createDirectories(dataDir);
        int[] ports = FreePorts.allocate(2);
        int[] udp = FreePorts.udp(2);
        this.clusterPort = ports[0];
        this.httpPort = ports[1];
        List<String> flags = new ArrayList<>(List.of(
                "--data-dir", dataDir.toString(),
                "--cassandra", RealCassandra.contactPoint(),
                "--port", Integer.toString(ports[0]),
                "--http-port", Integer.toString(httpPort),
                "--udp-port", Integer.toString(udp[0]),
                "--udp-reply-port", Integer.toString(udp[1])));
        for (String setting : settings) {
            flags.addAll(List.of("--set", setting));
        }
        if (seed != null) {
            flags.addAll(List.of("--seeds", seed));
        }
        this.flags = List.copyOf(flags);
    }

    /** Starts {@code bin/world start}, its output in {@code logName}, and waits up to 180 s for {@code /ready}. */
    void start(String logName) throws Exception {
        Path log = dataDir.resolve(logName);
        List<String> args =
                new ArrayList<>(List.of("bash", ROOT.resolve("bin/world").toString(), "start"));
        args.addAll(flags);
        Process p = new ProcessBuilder(args)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        started.add(p);
        current = p;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "bin/world exited:\n" + read(log));
            try {
                if (get("/ready").statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYetBound) {
                // the operator API binds once the actor system is up
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the node was not ready in 180 s:\n" + read(log));
    }

    /** SIGKILLs the running node (a child of the last {@code bin/world}, by the pid it wrote) and waits for it. */
    void kill() throws Exception {
        long pid = Long.parseLong(Files.readString(dataDir.resolve("node.pid")).strip());
        ProcessHandle java = current.descendants()
                .filter(p -> p.pid() == pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("node.pid " + pid + " is not this bin/world's node"));
        assertTrue(java.destroyForcibly(), "SIGKILL the node");
        assertTrue(current.waitFor(60, TimeUnit.SECONDS), "bin/world did not notice its node died");
        // What the killed node's embedded media driver left in /dev/shm (GatewayDriver.defaultDirectory): a restart
        // on the same port would clear it, but a killed node that stays dead would leave it to the next node start.
        deleteRecursively(Path.of(GatewayDriver.defaultDirectory("node-" + clusterPort)));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The node's cluster address, as seed nodes and {@code /cluster/members} name it. */
    String clusterAddress() {
        return "pekko://world@127.0.0.1:" + clusterPort;
    }

    /** Ends every process this started that still runs (politely, then by force after 60 s). */
    @Override
    public void close() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
    }

    HttpRequest postRequest(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts without waiting (the answer may never come if the node is killed meanwhile). */
    CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return http.sendAsync(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and expects {@code status}; the answer's JSON. */
    JsonNode posted(int status, String path, String body) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /**
     * GETs {@code path}, asking again while the node answers 503 {@code world-busy} (an entity that is being moved
     * or recovered), for up to {@code within}; the 200 answer's JSON.
     */
    JsonNode getJsonOnceReady(String path, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            HttpResponse<String> r = get(path);
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                assertEquals(200, r.statusCode(), path + ": " + r.body());
                return JSON.readTree(r.body());
            }
            Thread.sleep(200);
        }
    }

    /** GETs {@code path} until its JSON satisfies {@code done}, for up to {@code within}; fails the test otherwise. */
    JsonNode awaitJson(String path, Predicate<JsonNode> done, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonNode now = getJson(path);
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " did not get there within " + within + ": " + now);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Starts a cluster of {@code count} nodes with {@code settings} (data in {@code n1}, {@code n2}... under {@code
     * dir}; the first is the seed, the others start together), adding each to {@code started} as it is made (the
     * caller closes them, also when this fails), and waits until every node sees all of them Up.
     */
    static List<NodeProcess> startCluster(Path dir, int count, List<NodeProcess> started, String... settings)
            throws Exception {
        NodeProcess seed = new NodeProcess(dir.resolve("n1"), settings);
        started.add(seed);
        seed.start("n1.log");
        List<NodeProcess> nodes = new ArrayList<>(List.of(seed));
        List<CompletableFuture<Void>> joining = new ArrayList<>();
        for (int k = 2; k <= count; k++) {
            NodeProcess node = joining(dir.resolve("n" + k), seed, settings);
            started.add(node);
            nodes.add(node);
            String log = "n" + k + ".log";
            joining.add(CompletableFuture.runAsync(() -> {
                try {
                    node.start(log);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(joining.toArray(CompletableFuture[]::new)).get();
        for (NodeProcess n : nodes) {
            n.awaitJson("/cluster/members", m -> upMembers(m, count), Duration.ofSeconds(60));
        }
        return nodes;
    }

    /** Whether Pekko Management's {@code /cluster/members} shows exactly {@code count} members, all Up and reachable. */
    static boolean upMembers(JsonNode members, int count) {
        int up = 0;
        for (JsonNode m : members.get("members")) {
            up += m.get("status").asText().equals("Up") ? 1 : 0;
        }
        return up == count
                && members.get("members").size() == count
                && members.get("unreachable").isEmpty();
    }

    /**
     * Which node runs each entity (or each shard) of {@code type} now (id → node address), from each node's own {@code
     * /shards/{type}}; fails if one is on two lists. The nodes are asked one after another, so the lists are taken
     * again (up to 5 times) until two rounds agree: one handed off between two reads would otherwise look like it ran
     * twice.
     *
     * @param shards true: shard ids; false: entity ids
     */
    static Map<String, String> whereRunning(List<NodeProcess> live, String type, boolean shards) throws Exception {
        Map<String, String> before = null;
        for (int round = 0; round < 5; round++) {
            Map<String, String> now = running(live, type, shards, round == 4);
            if (now != null && now.equals(before)) {
                return now;
            }
            before = now;
            Thread.sleep(500);
        }
        throw new AssertionError("the nodes' lists of running " + type + " did not settle: " + before);
    }

    /** One round of lists; null if an id is on two of them (and {@code strict} is off). */
    private static Map<String, String> running(List<NodeProcess> live, String type, boolean shards, boolean strict)
            throws Exception {
        Map<String, String> runsOn = new HashMap<>();
        for (NodeProcess n : live) {
            JsonNode view = n.getJson("/shards/" + type);
            for (JsonNode shard : view.get("shards")) {
                List<String> ids = new ArrayList<>();
                if (shards) {
                    ids.add(shard.get("id").asText());
                } else {
                    shard.get("entities").forEach(e -> ids.add(e.asText()));
                }
                for (String id : ids) {
                    String before = runsOn.put(id, view.get("node").asText());
                    if (before != null && !strict) {
                        return null;
                    }
                    assertEquals(null, before, id + " runs on " + before + " and " + view.get("node"));
                }
            }
        }
        return runsOn;
    }

    /** Waits (up to a minute) until {@code count} of {@code requests} have their answers: the node is at work. */
    static void awaitAnswers(List<? extends CompletableFuture<?>> requests, int count) throws Exception {
        CountDownLatch answered = new CountDownLatch(count);
        requests.forEach(r -> r.whenComplete((ok, failed) -> answered.countDown()));
        if (!answered.await(60, TimeUnit.SECONDS)) {
            throw new TimeoutException(answered.getCount() + " of " + count + " answers missing after 60 s");
        }
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * A node running transfers is killed with SIGKILL mid-stream (a separate JVM, {@code bin/world start} against the
 * test's real Cassandra) and started again. Without anyone touching the transfers, every hold is given back or
 * captured (the remembered, unsettled transfers resumed by themselves); then every transfer that was started is
 * POSTED or VOIDED, each exactly once (every account's balance is its opening balance plus the posted transfers
 * in, minus those out), the ledger check passes and every account's hash chain is intact.
 */
@ExtendWith(RealCassandra.class)
class TransferCrashIT {

    private static final Path ROOT =
            Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();
    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> started = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private List<String> flags;
    private int httpPort;

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
    }

    @Test
    void shouldFinishOrVoidEveryTransferExactlyOnceAfterTheNodeIsKilled() throws Exception {
        int[] ports = FreePorts.allocate(2);
        int[] udp = FreePorts.udp(2);
        httpPort = ports[1];
        flags = List.of(
                "--data-dir", dataDir.toString(),
                "--cassandra", RealCassandra.contactPoint(),
                "--port", Integer.toString(ports[0]),
                "--http-port", Integer.toString(httpPort),
                "--udp-port", Integer.toString(udp[0]),
                "--udp-reply-port", Integer.toString(udp[1]));
        Process node = start("first.log");

        List<String> accounts = new ArrayList<>();
        assertEquals(
                201,
                post("/treasury/mint", "{\"reference\": \"" + run + "\", \"amount\": " + 1000 * CREDIT + "}")
                        .statusCode());
        for (String name : List.of("ada", "bob", "cyd", "dee")) {
            String id = run + "-" + name;
            assertEquals(
                    201,
                    post("/accounts", "{\"id\": \"" + id + "\", \"owner\": \"" + name + "\", \"kind\": \"AVATAR\"}")
                            .statusCode());
            assertEquals(
                    "POSTED",
                    JSON.readTree(transfer(run + "-fund-" + name, "treasury", id, 100 * CREDIT)
                                    .body())
                            .get("phase")
                            .asText());
            accounts.add(id);
        }

        // 300 transfers between the four, sent at once; the node is killed while they run.
        Random random = new Random(7);
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        Map<String, String[]> terms = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String id = run + "-x" + i;
            int from = random.nextInt(4);
            int to = (from + 1 + random.nextInt(3)) % 4;
            long amount = (1 + random.nextInt(30)) * CREDIT;
            ids.add(id);
            terms.put(id, new String[] {accounts.get(from), accounts.get(to), Long.toString(amount)});
            sent.add(http.sendAsync(
                    transferRequest(id, accounts.get(from), accounts.get(to), amount),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(1500); // some posted, some under way, most not yet sent: then the kill
        // bin/world writes its node's pid; it must be a child of this bin/world (never signal anything else).
        long pid = Long.parseLong(Files.readString(dataDir.resolve("node.pid")).strip());
        ProcessHandle java = node.descendants()
                .filter(p -> p.pid() == pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("node.pid " + pid + " is not this bin/world's node"));
        assertTrue(java.destroyForcibly(), "SIGKILL the node");
        assertTrue(node.waitFor(60, TimeUnit.SECONDS), "bin/world did not notice its node died");
        long answeredBeforeTheKill = sent.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .count();
        System.out.printf("killed the node with %d of 300 transfers answered%n", answeredBeforeTheKill);

        start("second.log");
        // Nobody asks the transfers: the remembered unsettled ones must finish by themselves, holds and all.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String account : accounts) {
            while (getJson("/accounts/" + account).get("held").asLong() != 0) {
                assertTrue(System.nanoTime() < deadline, "holds still open on " + account + ": transfers stuck");
                Thread.sleep(200); // polling with a deadline
            }
        }

        Map<String, Long> expected = new HashMap<>();
        accounts.forEach(a -> expected.put(a, 100 * CREDIT));
        int posted = 0;
        int voided = 0;
        int unknown = 0;
        for (String id : ids) {
            HttpResponse<String> status = get("/transfers/" + id);
            if (status.statusCode() == 404) {
                unknown++; // never reached the node before it died
                continue;
            }
            JsonNode t = JSON.readTree(status.body());
            String phase = t.get("phase").asText();
            assertTrue(phase.equals("POSTED") || phase.equals("VOIDED"), "unsettled: " + t);
            if (phase.equals("POSTED")) {
                posted++;
                String[] term = terms.get(id);
                long amount = Long.parseLong(term[2]);
                expected.merge(term[0], -amount, Long::sum);
                expected.merge(term[1], amount, Long::sum);
            } else {
                voided++;
            }
        }
        System.out.printf("after the restart: %d posted, %d voided, %d never started%n", posted, voided, unknown);
        assertTrue(
                posted + voided > answeredBeforeTheKill,
                "transfers under way at the kill settled after the restart: " + (posted + voided) + " settled, "
                        + answeredBeforeTheKill + " answered before");
        for (String account : accounts) {
            assertEquals(
                    expected.get(account),
                    getJson("/accounts/" + account).get("balance").asLong(),
                    account + ": every posted transfer counted exactly once, no voided one at all");
            assertTrue(getJson("/accounts/" + account + "/verify").get("intact").asBoolean());
        }
        JsonNode ledger = getJson("/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean() && ledger.get("problems").isEmpty(), ledger.toString());
    }

    private Process start(String logName) throws Exception {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "bin/world exited:\n" + read(log));
            try {
                if (get("/ready").statusCode() == 200) {
                    return p;
                }
            } catch (ConnectException notYetBound) {
                // the operator API binds once the actor system is up
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the node was not ready in 180 s:\n" + read(log));
    }

    private HttpRequest transferRequest(String id, String from, String to, long amount) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/transfers"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"" + id + "\", \"from\": \"" + from
                        + "\", \"to\": \"" + to + "\", \"amount\": " + amount + "}"))
                .build();
    }

    private HttpResponse<String> transfer(String id, String from, String to, long amount) throws Exception {
        return http.send(transferRequest(id, from, to, amount), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}

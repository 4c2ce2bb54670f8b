package org.worldserver.shard.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Durable transfers per second on a running node (its operator API, its Cassandra), next to the raw Cassandra
 * write ceiling measured in the same run: prepared single-row inserts per second through the same driver, at the
 * same concurrency, into a table of its own. Then the ratio. Transfers go between {@code accounts} accounts funded
 * from the treasury (few accounts: contention; many: spread), {@code concurrency} at a time.
 *
 * <p>Run: {@code deploy/bench/transfers.sh [transfers] [concurrency] [accounts]} (it starts and stops the node).
 */
public final class TransferBenchmark {

    private static final long CREDIT = 1_000_000L;

    public static void main(String[] args) throws Exception {
        String api = args[0];
        String cassandra = args[1];
        int count = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int accounts = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newHttpClient();
        String run = UUID.randomUUID().toString().substring(0, 8);

        post(
                http,
                api,
                "/treasury/mint",
                "{\"reference\": \"bench-" + run + "\", \"amount\": " + (long) accounts * 1_000_000 * CREDIT + "}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            String id = "bench-" + run + "-" + i;
            post(http, api, "/accounts", "{\"id\": \"" + id + "\", \"owner\": \"bench\", \"kind\": \"AVATAR\"}");
            post(
                    http,
                    api,
                    "/transfers",
                    "{\"id\": \"fund-" + id + "\", \"from\": \"treasury\", \"to\": \"" + id + "\", \"amount\": "
                            + 1_000_000 * CREDIT + "}");
            ids.add(id);
        }
        // Warm-up, then the measured run.
        transfers(http, api, run + "-w", Math.min(200, count), concurrency, ids);
        Histogram latency = new Histogram(60_000_000L, 3);
        double transfersPerSecond = transfers(http, api, run, count, concurrency, ids, latency);

        double insertsPerSecond = rawInserts(cassandra, count * 4L, concurrency);
        System.out.printf(
                "transfers: %d at concurrency %d over %d accounts: %.0f/s, latency p50 %.1f ms p99 %.1f ms max %.1f ms%n",
                count,
                concurrency,
                accounts,
                transfersPerSecond,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0);
        System.out.printf(
                "raw Cassandra: %.0f prepared single-row inserts/s at concurrency %d; transfers/inserts = %.4f%n",
                insertsPerSecond, concurrency, transfersPerSecond / insertsPerSecond);
    }

    private static double transfers(
            HttpClient http, String api, String run, int count, int concurrency, List<String> ids) throws Exception {
        return transfers(http, api, run, count, concurrency, ids, new Histogram(60_000_000L, 3));
    }

    /** Sends {@code count} transfers, {@code concurrency} in flight; returns transfers per second. */
    private static double transfers(
            HttpClient http, String api, String run, int count, int concurrency, List<String> ids, Histogram latency)
            throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicLong failed = new AtomicLong();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            String from = ids.get(i % ids.size());
            String to = ids.get((i + 1) % ids.size());
            long sent = System.nanoTime();
            String body = "{\"id\": \"" + run + "-" + i + "\", \"from\": \"" + from + "\", \"to\": \"" + to
                    + "\", \"amount\": " + CREDIT + "}";
            all.add(http.sendAsync(request(api, "/transfers", body), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        synchronized (latency) {
                            latency.recordValue((System.nanoTime() - sent) / 1000);
                        }
                        if (r.statusCode() != 201 || !r.body().contains("\"POSTED\"")) {
                            failed.incrementAndGet();
                        }
                    })
                    .whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            System.out.println(failed.get() + " transfers did not post");
        }
        return count / seconds;
    }

    /** Prepared single-row inserts, {@code concurrency} in flight, into a bench table; inserts per second. */
    private static double rawInserts(String cassandra, long count, int concurrency) throws Exception {
        String[] hostPort = cassandra.split(":");
        try (CqlSession cql = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter("datacenter1")
                .build()) {
            cql.execute("CREATE KEYSPACE IF NOT EXISTS bench WITH replication = "
                    + "{'class': 'SimpleStrategy', 'replication_factor': 1}");
            cql.execute(
                    "CREATE TABLE IF NOT EXISTS bench.rows (id text, seq bigint, payload blob, PRIMARY KEY (id, seq))");
            PreparedStatement insert = cql.prepare("INSERT INTO bench.rows (id, seq, payload) VALUES (?, ?, ?)");
            ByteBuffer payload = ByteBuffer.wrap(new byte[200]); // about an event's size
            Semaphore inFlight = new Semaphore(concurrency);
            String run = UUID.randomUUID().toString();
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                inFlight.acquire();
                cql.executeAsync(insert.bind(run + "-" + (i % 64), i, payload.duplicate()))
                        .whenComplete((r, e) -> inFlight.release());
            }
            inFlight.acquire(concurrency);
            double rate = count / ((System.nanoTime() - start) / 1e9);
            cql.execute("DROP KEYSPACE bench");
            return rate;
        }
    }

    static HttpRequest request(String api, String path, String body) {
        return HttpRequest.newBuilder(URI.create(api + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static void post(HttpClient http, String api, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(request(api, path, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
    }
}

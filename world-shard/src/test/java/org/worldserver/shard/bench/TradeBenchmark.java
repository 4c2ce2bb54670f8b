package org.worldserver.shard.bench;

import static org.worldserver.shard.bench.TransferBenchmark.post;
import static org.worldserver.shard.bench.TransferBenchmark.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Trades per second end to end on a running node (its operator API, its Cassandra): {@code count} listed items, each
 * bought once by one of {@code buyers} funded accounts, {@code concurrency} purchases in flight; each purchase is
 * the whole saga (hold, lock, escrow transfer, ownership) and is answered once COMPLETED. Then how long the metadata
 * index takes to show every sale (its projection lag under that load).
 *
 * <p>Run: {@code deploy/bench/trades.sh [trades] [concurrency] [buyers]} (it starts and stops the node).
 */
public final class TradeBenchmark {

    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String api = args[0];
        int count = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        int buyers = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newHttpClient();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String seller = "seller-" + run;

        post(
                http,
                api,
                "/treasury/mint",
                "{\"reference\": \"bench-" + run + "\", \"amount\": " + (long) buyers * 1_000_000 * CREDIT + "}");
        post(http, api, "/accounts", "{\"id\": \"" + seller + "\", \"owner\": \"bench\", \"kind\": \"AVATAR\"}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String id = "buyer-" + run + "-" + i;
            post(http, api, "/accounts", "{\"id\": \"" + id + "\", \"owner\": \"bench\", \"kind\": \"AVATAR\"}");
            post(
                    http,
                    api,
                    "/transfers",
                    "{\"id\": \"fund-" + id + "\", \"from\": \"treasury\", \"to\": \"" + id + "\", \"amount\": "
                            + 1_000_000 * CREDIT + "}");
            ids.add(id);
        }
        long listed = System.nanoTime();
        int warmUp = Math.min(100, count);
        all(concurrency, count + warmUp, i -> {
            String asset = run + "-a" + i;
            return postAsync(
                            http,
                            api,
                            "/assets",
                            "{\"id\": \"" + asset + "\", \"kind\": \"ITEM\", \"creator\": \"" + seller
                                    + "\", \"name\": \"Bench item " + i + "\", \"tags\": [\"bench\"]}")
                    .thenCompose(r -> postAsync(
                            http,
                            api,
                            "/assets/" + asset + "/listing",
                            "{\"price\": " + CREDIT + ", \"by\": \"" + seller + "\"}"));
        });
        System.out.printf("minted and listed %d items in %.1f s%n", count + warmUp, (System.nanoTime() - listed) / 1e9);

        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong failed = new AtomicLong();
        buy(http, api, run, 0, warmUp, concurrency, ids, new Histogram(60_000_000L, 3), failed);
        long start = System.nanoTime();
        buy(http, api, run, warmUp, count, concurrency, ids, latency, failed);
        double seconds = (System.nanoTime() - start) / 1e9;
        long done = System.nanoTime();
        System.out.printf(
                "trades: %d at concurrency %d over %d buyers: %.1f/s, latency p50 %.1f ms p99 %.1f ms max %.1f ms,"
                        + " %d not completed%n",
                count,
                concurrency,
                buyers,
                count / seconds,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0,
                failed.get());

        // The index shows every sale once no listed bench item is left in it.
        while (true) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(
                                    URI.create(api + "/assets?tag=bench&status=LISTED&owner=" + seller + "&limit=1"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode found = JSON.readTree(r.body());
            if (found.get("live").asBoolean() && found.get("count").asInt() == 0) {
                break;
            }
            if (System.nanoTime() - done > 120_000_000_000L) {
                System.out.println("the index did not catch up within 120 s");
                break;
            }
            Thread.sleep(100);
        }
        JsonNode status = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(api + "/assets/index/status"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        System.out.printf(
                "index: every sale visible %.1f s after the last trade; last event's lag %d ms; %d events applied%n",
                (System.nanoTime() - done) / 1e9,
                status.get("lagMillis").asLong(),
                status.get("applied").asLong());
    }

    /** Buys items {@code from} .. {@code from + count - 1}, each by buyer i % buyers, {@code concurrency} at a time. */
    private static void buy(
            HttpClient http,
            String api,
            String run,
            int from,
            int count,
            int concurrency,
            List<String> buyers,
            Histogram latency,
            AtomicLong failed)
            throws Exception {
        all(concurrency, count, n -> {
            int i = from + n;
            long sent = System.nanoTime();
            String body = "{\"trade\": \"" + run + "-t" + i + "\", \"buyer\": \"" + buyers.get(i % buyers.size())
                    + "\", \"price\": " + CREDIT + "}";
            return http.sendAsync(
                            request(api, "/assets/" + run + "-a" + i + "/buy", body),
                            HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        synchronized (latency) {
                            latency.recordValue((System.nanoTime() - sent) / 1000);
                        }
                        if (r.statusCode() != 201) {
                            failed.incrementAndGet();
                        }
                    });
        });
    }

    /** Runs {@code count} asynchronous tasks, {@code concurrency} at a time, and waits for all. */
    private static void all(int concurrency, int count, java.util.function.IntFunction<CompletableFuture<?>> task)
            throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<?>> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            started.add(task.apply(i).whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
    }

    /** Posts without waiting; the future fails unless the answer is 2xx. */
    private static CompletableFuture<HttpResponse<String>> postAsync(
            HttpClient http, String api, String path, String body) {
        return http.sendAsync(request(api, path, body), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    if (r.statusCode() / 100 != 2) {
                        throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
                    }
                    return r;
                });
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * A node running trades is killed with SIGKILL mid-stream (a separate JVM on the test's real Cassandra) and started
 * again. Without anyone touching the trades, every one that had started finishes by itself: afterwards each is
 * COMPLETED or VOIDED, no asset was sold twice or stays locked, every buyer paid exactly for what it bought and
 * every seller got exactly that less the operator's fee (2.5 % here), the treasury exactly the fees, no hold is left
 * open, the ledger is conserved and every asset's chain is intact.
 */
@ExtendWith(RealCassandra.class)
class TradeCrashIT {

    private static final long CREDIT = 1_000_000L;
    private static final int ASSETS = 20;
    private static final int BUYERS = 4;
    /** The operator's fee on every trade: 250 bps, a 40th of each price. */
    private static final long FEE_DIVISOR = 40;
    /** How long the restarted node is given to finish every trade it remembers. */
    private static final Duration SETTLING = Duration.ofSeconds(120);

    @TempDir
    Path dataDir;

    private NodeProcess node;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stopWhatWasStarted() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private String account(String name, long credits) throws Exception {
        String id = run + "-" + name;
        node.posted(201, "/accounts", "{\"id\": \"%s\", \"owner\": \"%s\", \"kind\": \"AVATAR\"}".formatted(id, name));
        if (credits > 0) {
            JsonNode paid = node.posted(
                    201,
                    "/transfers",
                    "{\"id\": \"%s\", \"from\": \"treasury\", \"to\": \"%s\", \"amount\": %d}"
                            .formatted(id, id, credits * CREDIT));
            assertEquals("POSTED", paid.get("phase").asText());
        }
        return id;
    }

    @Test
    void shouldCompleteOrRollBackEveryTradeAfterTheNodeIsKilled() throws Exception {
        node = new NodeProcess(dataDir, "world.asset.fee-bps=250");
        node.start("first.log");
        node.posted(201, "/treasury/mint", "{\"reference\": \"%s\", \"amount\": %d}".formatted(run, 1000 * CREDIT));
        String seller = account("seller", 0);
        List<String> buyers = new ArrayList<>();
        for (int b = 0; b < BUYERS; b++) {
            buyers.add(account("buyer" + b, 100));
        }
        Map<String, Long> prices = new HashMap<>();
        for (int a = 0; a < ASSETS; a++) {
            String asset = run + "-a" + a;
            node.posted(
                    201,
                    "/assets",
                    "{\"id\": \"%s\", \"kind\": \"ITEM\", \"creator\": \"%s\", \"name\": \"Item %d\"}"
                            .formatted(asset, seller, a));
            long price = (3 + a % 5) * CREDIT;
            node.posted(
                    200, "/assets/" + asset + "/listing", "{\"price\": %d, \"by\": \"%s\"}".formatted(price, seller));
            prices.put(asset, price);
        }

        long treasuryBefore = node.getJson("/accounts/treasury").get("balance").asLong();
        // Every buyer goes for every asset at once: 80 trades racing for 20 listings; the node dies meanwhile.
        Map<String, String[]> trades = new HashMap<>(); // trade id → asset, buyer
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int a = 0; a < ASSETS; a++) {
            for (int b = 0; b < BUYERS; b++) {
                String asset = run + "-a" + a;
                String trade = run + "-t" + a + "-" + b;
                trades.put(trade, new String[] {asset, buyers.get(b)});
                sent.add(node.postAsync(
                        "/assets/" + asset + "/buy",
                        "{\"trade\": \"%s\", \"buyer\": \"%s\", \"price\": %d}"
                                .formatted(trade, buyers.get(b), prices.get(asset))));
            }
        }
        // Kill as soon as the first purchase is answered: some done, some under way, many not yet started.
        NodeProcess.awaitAnswers(sent, 1);
        node.kill();
        long answered = sent.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .count();
        System.out.printf("killed the node with %d of %d trades answered%n", answered, trades.size());

        node.start("second.log");
        // Nobody asks the trades: the remembered unfinished ones must finish by themselves.
        for (String buyer : buyers) {
            node.awaitJson("/accounts/" + buyer, a -> a.get("held").asLong() == 0, SETTLING); // holds open: stuck
        }
        for (int a = 0; a < ASSETS; a++) {
            node.awaitJson(
                    "/assets/" + run + "-a" + a, s -> !s.get("status").asText().equals("LOCKED"), SETTLING);
        }

        Map<String, String> soldTo = new HashMap<>();
        Map<String, Long> spent = new HashMap<>();
        int completed = 0;
        int voided = 0;
        int unknown = 0;
        for (Map.Entry<String, String[]> t : trades.entrySet()) {
            HttpResponse<String> status = node.get("/trades/" + t.getKey());
            if (status.statusCode() == 404) {
                unknown++; // never reached the node
                continue;
            }
            JsonNode trade = NodeProcess.json(status);
            String phase = trade.get("phase").asText();
            String asset = t.getValue()[0];
            String buyer = t.getValue()[1];
            if (phase.equals("COMPLETED")) {
                completed++;
                String before = soldTo.put(asset, buyer);
                assertEquals(null, before, asset + " sold twice: to " + before + " and " + buyer);
                spent.merge(buyer, prices.get(asset), Long::sum);
            } else {
                assertEquals("VOIDED", phase, "unfinished: " + trade);
                voided++;
            }
        }
        System.out.printf("after the restart: %d completed, %d voided, %d never started%n", completed, voided, unknown);
        assertTrue(completed + voided > answered, "trades under way at the kill finished after the restart");

        long sellerGot = 0;
        long fees = 0;
        for (int a = 0; a < ASSETS; a++) {
            String asset = run + "-a" + a;
            JsonNode state = node.getJson("/assets/" + asset);
            String owner = soldTo.getOrDefault(asset, seller);
            assertEquals(owner, state.get("owner").asText(), asset + ": its one owner is its one buyer, or its seller");
            if (soldTo.containsKey(asset)) {
                sellerGot += prices.get(asset) - prices.get(asset) / FEE_DIVISOR;
                fees += prices.get(asset) / FEE_DIVISOR;
                assertEquals(2, state.get("provenance").size(), asset + ": minted, then sold once");
            }
            assertTrue(
                    node.getJson("/assets/" + asset + "/verify").get("intact").asBoolean(), asset);
        }
        for (String buyer : buyers) {
            assertEquals(
                    100 * CREDIT - spent.getOrDefault(buyer, 0L),
                    node.getJson("/accounts/" + buyer).get("balance").asLong(),
                    buyer + " paid exactly for what it bought");
        }
        assertEquals(
                sellerGot,
                node.getJson("/accounts/" + seller).get("balance").asLong(),
                "the seller got exactly the prices less the fees");
        assertEquals(
                treasuryBefore + fees,
                node.getJson("/accounts/treasury").get("balance").asLong(),
                "the treasury got exactly the fees");
        JsonNode ledger = node.getJson("/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean() && ledger.get("problems").isEmpty(), ledger.toString());
    }
}

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
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
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

    private static final long CREDIT = 1_000_000L;

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

    @Test
    void shouldFinishOrVoidEveryTransferExactlyOnceAfterTheNodeIsKilled() throws Exception {
        node = new NodeProcess(dataDir);
        node.start("first.log");

        List<String> accounts = new ArrayList<>();
        node.posted(201, "/treasury/mint", "{\"reference\": \"" + run + "\", \"amount\": " + 1000 * CREDIT + "}");
        for (String name : List.of("ada", "bob", "cyd", "dee")) {
            String id = run + "-" + name;
            node.posted(
                    201, "/accounts", "{\"id\": \"" + id + "\", \"owner\": \"" + name + "\", \"kind\": \"AVATAR\"}");
            assertEquals(
                    "POSTED",
                    NodeProcess.json(transfer(run + "-fund-" + name, "treasury", id, 100 * CREDIT))
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
            sent.add(node.postAsync("/transfers", transferBody(id, accounts.get(from), accounts.get(to), amount)));
        }
        // Kill once ten transfers are answered: some posted, some under way, most not yet sent. (At the first answer,
        // once in a CI run, no other transfer had reached the node yet, and nothing was under way to test.)
        NodeProcess.awaitAnswers(sent, 10);
        node.kill();
        long answeredBeforeTheKill = sent.stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .count();
        System.out.printf("killed the node with %d of 300 transfers answered%n", answeredBeforeTheKill);

        node.start("second.log");
        // Nobody asks the transfers: the remembered unsettled ones must finish by themselves, holds and all.
        for (String account : accounts) { // holds still open would mean transfers stuck
            node.awaitJson("/accounts/" + account, a -> a.get("held").asLong() == 0, Duration.ofSeconds(90));
        }

        Map<String, Long> expected = new HashMap<>();
        accounts.forEach(a -> expected.put(a, 100 * CREDIT));
        int posted = 0;
        int voided = 0;
        int unknown = 0;
        for (String id : ids) {
            HttpResponse<String> status = node.get("/transfers/" + id);
            if (status.statusCode() == 404) {
                unknown++; // never reached the node before it died
                continue;
            }
            JsonNode t = NodeProcess.json(status);
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
                    node.getJson("/accounts/" + account).get("balance").asLong(),
                    account + ": every posted transfer counted exactly once, no voided one at all");
            assertTrue(node.getJson("/accounts/" + account + "/verify")
                    .get("intact")
                    .asBoolean());
        }
        JsonNode ledger = node.getJson("/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean() && ledger.get("problems").isEmpty(), ledger.toString());
    }

    private static String transferBody(String id, String from, String to, long amount) {
        return "{\"id\": \"" + id + "\", \"from\": \"" + from + "\", \"to\": \"" + to + "\", \"amount\": " + amount
                + "}";
    }

    private HttpResponse<String> transfer(String id, String from, String to, long amount) throws Exception {
        return node.post("/transfers", transferBody(id, from, to, amount));
    }
}

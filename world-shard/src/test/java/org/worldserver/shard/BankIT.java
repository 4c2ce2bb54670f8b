package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.protocol.internal.util.Bytes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * The time bank through the operator API on a whole node and the real Cassandra: the treasury mints, transfers
 * post once however often they are sent, the accounts' refusals come back with their stable codes (a transfer the
 * accounts refuse is voided, not lost), twenty transfers racing against one account's balance post exactly as
 * many as it covers, and every account's hash chain read back from Cassandra is intact.
 */
class BankIT extends OneNodeIT {

    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return InProcessNode.post(node, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private String open(String name) throws Exception {
        String id = run + "-" + name;
        HttpResponse<String> opened =
                post("/accounts", "{\"id\": \"" + id + "\", \"owner\": \"" + name + "\", \"kind\": \"AVATAR\"}");
        assertEquals(201, opened.statusCode(), opened.body());
        return id;
    }

    private static HttpResponse<String> transfer(String id, String from, String to, long amount) throws Exception {
        return post(
                "/transfers",
                "{\"id\": \"" + id + "\", \"from\": \"" + from + "\", \"to\": \"" + to + "\", \"amount\": " + amount
                        + "}");
    }

    private static long balance(String account) throws Exception {
        return InProcessNode.getJson(node, "/accounts/" + account)
                .get("balance")
                .asLong();
    }

    @Test
    void shouldMoveCreditsExactlyOnceAndKeepEveryChainIntact() throws Exception {
        HttpResponse<String> minted = post(
                "/treasury/mint",
                "{\"reference\": \"" + run + "-batch\", \"amount\": " + 100 * CREDIT + ", \"reason\": \"attention\"}");
        assertEquals(201, minted.statusCode(), minted.body());
        assertEquals(
                201,
                post("/treasury/mint", "{\"reference\": \"" + run + "-batch\", \"amount\": " + 100 * CREDIT + "}")
                        .statusCode());
        // The treasury's balance moves under other regions' attention settlement: count this reference's mints.
        long mints = 0;
        for (JsonNode line :
                InProcessNode.getJson(node, "/accounts/treasury/statement").get("lines")) {
            if (line.get("event").asText().equals("Minted")
                    && line.get("reference").asText().equals(run + "-batch")) {
                mints++;
            }
        }
        assertEquals(1, mints, "the same reference mints once");

        String ada = open("ada");
        String bob = open("bob");
        assertEquals(
                "account-exists",
                json(post("/accounts", "{\"id\": \"" + ada + "\", \"owner\": \"eve\", \"kind\": \"VENUE\"}"))
                        .get("error")
                        .asText());
        assertEquals(
                400, post("/accounts", "{\"id\": \"x\", \"kind\": \"BANK\"}").statusCode());

        HttpResponse<String> paid = transfer(run + "-t1", "treasury", ada, 30 * CREDIT);
        assertEquals(201, paid.statusCode(), paid.body());
        assertEquals("POSTED", json(paid).get("phase").asText());
        assertEquals(
                "POSTED",
                json(transfer(run + "-t1", "treasury", ada, 30 * CREDIT))
                        .get("phase")
                        .asText());
        assertEquals(30 * CREDIT, balance(ada), "a retried transfer moves once");
        HttpResponse<String> reused = transfer(run + "-t1", "treasury", ada, 31 * CREDIT);
        assertEquals(409, reused.statusCode());
        assertEquals("id-reused", json(reused).get("error").asText());
        assertEquals(400, transfer(run + "-neg", ada, bob, -5).statusCode());
        assertEquals(
                400,
                post("/transfers", "{\"id\": \"x\", \"from\": \"a\", \"to\": \"b\", \"amount\": 1.5}")
                        .statusCode());

        JsonNode poor = json(transfer(run + "-t2", ada, bob, 31 * CREDIT));
        assertEquals("VOIDED", poor.get("phase").asText());
        assertTrue(poor.get("reason").asText().startsWith("insufficient-funds"), poor.toString());
        JsonNode nowhere = json(transfer(run + "-t3", ada, run + "-nobody", CREDIT));
        assertEquals("VOIDED", nowhere.get("phase").asText());
        assertTrue(nowhere.get("reason").asText().startsWith("account-not-open"), nowhere.toString());
        assertEquals(30 * CREDIT, balance(ada), "voided transfers moved nothing");
        assertEquals(
                0, InProcessNode.getJson(node, "/accounts/" + ada).get("held").asLong(), "holds given back");

        // Twenty transfers of 2 credits race against ada's 30: exactly 15 post.
        List<CompletableFuture<JsonNode>> racing = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = run + "-race-" + i;
            racing.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return json(transfer(id, ada, bob, 2 * CREDIT));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long posted = racing.stream()
                .map(CompletableFuture::join)
                .filter(t -> t.get("phase").asText().equals("POSTED"))
                .count();
        assertEquals(15, posted);
        assertEquals(0, balance(ada));
        assertEquals(30 * CREDIT, balance(bob));

        assertEquals(404, InProcessNode.getJsonStatus(node, "/accounts/" + run + "-nobody"));
        assertEquals(404, InProcessNode.getJsonStatus(node, "/transfers/" + run + "-never"));
        JsonNode statement = InProcessNode.getJson(node, "/accounts/" + ada + "/statement");
        JsonNode lines = statement.get("lines");
        assertEquals(30 * CREDIT, lines.get(1).get("balance").asLong(), statement.toString());
        assertEquals(0, lines.get(lines.size() - 1).get("balance").asLong(), "the races spent it all");
        assertEquals(404, InProcessNode.getJsonStatus(node, "/accounts/" + run + "-nobody/statement"));
        JsonNode ledger = InProcessNode.getJson(node, "/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean(), ledger.toString());
        assertEquals(0, ledger.get("problems").size(), ledger.toString());

        for (String account : List.of("treasury", ada, bob)) {
            JsonNode verified = InProcessNode.getJson(node, "/accounts/" + account + "/verify");
            assertTrue(verified.get("intact").asBoolean(), verified.toString());
            assertEquals(
                    InProcessNode.getJson(node, "/accounts/" + account)
                            .get("events")
                            .asLong(),
                    verified.get("events").asLong(),
                    "every event read back from Cassandra: " + verified);
        }
    }

    /** An event changed in Cassandra behind the ledger's back: verify names it. */
    @Test
    void shouldCatchAnEventChangedInCassandra() throws Exception {
        assertEquals(
                201,
                post("/treasury/mint", "{\"reference\": \"" + run + "-tamper\", \"amount\": " + 10 * CREDIT + "}")
                        .statusCode());
        String victim = open("victim");
        assertEquals(
                "POSTED",
                json(transfer(run + "-t", "treasury", victim, 7 * CREDIT))
                        .get("phase")
                        .asText());
        assertTrue(InProcessNode.getJson(node, "/accounts/" + victim + "/verify")
                .get("intact")
                .asBoolean());

        // Event 2 is the credit of 7,000,000 micro-credits: in its CBOR bytes, 0x1A 00 6A CF C0. Make it 7,000,001.
        try (CqlSession cql = RealCassandra.newSession()) {
            Row row = cql.execute(SimpleStatement.newInstance(
                            "SELECT timestamp, event FROM world.messages WHERE persistence_id = ? AND partition_nr = 0"
                                    + " AND sequence_nr = 2",
                            "Account|" + victim))
                    .one();
            byte[] original = Bytes.getArray(row.getByteBuffer("event"));
            byte[] tampered = original.clone();
            int at = indexOf(tampered, new byte[] {0x1A, 0x00, 0x6A, (byte) 0xCF, (byte) 0xC0});
            assertTrue(at >= 0, "the amount is in the event's bytes");
            tampered[at + 4]++;
            SimpleStatement write = SimpleStatement.newInstance(
                    "UPDATE world.messages SET event = ? WHERE persistence_id = ? AND partition_nr = 0"
                            + " AND sequence_nr = 2 AND timestamp = ?",
                    ByteBuffer.wrap(tampered),
                    "Account|" + victim,
                    row.getUuid("timestamp"));
            cql.execute(write);
            try {
                JsonNode verdict = InProcessNode.getJson(node, "/accounts/" + victim + "/verify");
                assertEquals(false, verdict.get("intact").asBoolean(), verdict.toString());
                assertEquals(2, verdict.get("firstBadSequence").asLong(), verdict.toString());
                assertEquals(
                        "event 2 was changed: its hash does not match",
                        verdict.get("problem").asText());
            } finally {
                // Put it back, so that the ledger other tests check (this Cassandra outlives the class) holds.
                cql.execute(write.setPositionalValues(
                        List.of(ByteBuffer.wrap(original), "Account|" + victim, row.getUuid("timestamp"))));
            }
        }
        assertTrue(InProcessNode.getJson(node, "/accounts/" + victim + "/verify")
                .get("intact")
                .asBoolean());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

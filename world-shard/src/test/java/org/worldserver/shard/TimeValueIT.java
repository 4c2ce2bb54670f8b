package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * Escrow holds, burns, time deposits and loans through the operator API on a whole node and the real Cassandra, on
 * the real clock: a deposit matures and pays its interest; a loan falls due, charges its late fee and collects
 * from the borrower until repaid; every bad request gets its stable code; the ledger, deposits included, is
 * conserved. Terms are seconds long here (the shipped minimum term is a minute).
 */
@ExtendWith(RealCassandra.class)
class TimeValueIT {

    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How long the deposits' and loans' own timers are given (terms here are seconds long). */
    private static final Duration TIMERS = Duration.ofSeconds(20);

    private static WorldNode node;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startNode() throws Exception {
        node = InProcessNode.start("""
                world.timebank.deposits.min-term = 1s
                world.timebank.loans.collect-every = 1s
                """);
    }

    @AfterAll
    static void stopNode() throws Exception {
        InProcessNode.stop(node);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return InProcessNode.post(node, path, body);
    }

    private static JsonNode created(String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Posts a request that must be refused with {@code status} and {@code code}. */
    private static void refused(int status, String code, String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(code, JSON.readTree(response.body()).get("error").asText(), response.body());
    }

    private static JsonNode account(String id) throws Exception {
        return InProcessNode.getJson(node, "/accounts/" + id);
    }

    /** An avatar account paid {@code credits} from the treasury. */
    private String funded(String name, long credits) throws Exception {
        String id = run + "-" + name;
        created("/accounts", "{\"id\": \"%s\", \"owner\": \"%s\", \"kind\": \"AVATAR\"}".formatted(id, name));
        if (credits == 0) {
            return id;
        }
        created("/treasury/mint", "{\"reference\": \"%s\", \"amount\": %d}".formatted(id, credits * CREDIT));
        JsonNode paid = created(
                "/transfers",
                "{\"id\": \"%s\", \"from\": \"treasury\", \"to\": \"%s\", \"amount\": %d}"
                        .formatted(id, id, credits * CREDIT));
        assertEquals("POSTED", paid.get("phase").asText());
        return id;
    }

    @Test
    void shouldHoldCaptureToADestinationReleaseAndBurn() throws Exception {
        String ada = funded("ada", 20);
        String shop = funded("shop", 0);
        String expires = Instant.now().plusSeconds(3600).toString();
        String hold = "{\"id\": \"%s\", \"amount\": %d, \"expiresAt\": \"%s\", \"reason\": \"trade\"}";
        JsonNode held = created("/accounts/" + ada + "/holds", hold.formatted("h1", 8 * CREDIT, expires));
        assertEquals(8 * CREDIT, held.get("held").asLong());
        refused(409, "insufficient-funds", "/accounts/" + ada + "/holds", hold.formatted("h2", 13 * CREDIT, expires));
        refused(400, "amount-invalid", "/accounts/" + ada + "/holds", hold.formatted("h3", -1, expires));
        refused(400, "hold-invalid", "/accounts/" + ada + "/holds", hold.formatted("h4", CREDIT, "tomorrow"));
        refused(404, "account-not-open", "/accounts/" + run + "-nobody/holds", hold.formatted("h", 1, expires));
        refused(400, "body-invalid", "/accounts/" + ada + "/holds", "[1, 2]");

        String capture = "{\"to\": \"%s\", \"amount\": %d}";
        JsonNode moved = created("/accounts/" + ada + "/holds/h1/capture", capture.formatted(shop, 8 * CREDIT));
        assertEquals("POSTED", moved.get("phase").asText(), moved.toString());
        assertEquals("h1", moved.get("hold").asText());
        assertEquals(moved, created("/accounts/" + ada + "/holds/h1/capture", capture.formatted(shop, 8 * CREDIT)));
        assertEquals(12 * CREDIT, account(ada).get("balance").asLong(), "captured once");
        assertEquals(8 * CREDIT, account(shop).get("balance").asLong());
        refused(409, "id-reused", "/accounts/" + ada + "/holds/h1/capture", capture.formatted(ada, 8 * CREDIT));

        created("/accounts/" + ada + "/holds", hold.formatted("h5", 2 * CREDIT, expires));
        // Mistaken captures are refused before anything starts, so the right one can still follow.
        refused(400, "amount-invalid", "/accounts/" + ada + "/holds/h5/capture", capture.formatted(shop, 3 * CREDIT));
        refused(
                404,
                "account-not-open",
                "/accounts/" + ada + "/holds/h5/capture",
                capture.formatted("nobody", 2 * CREDIT));
        refused(404, "hold-unknown", "/accounts/" + ada + "/holds/nope/capture", capture.formatted(shop, 2 * CREDIT));
        refused(400, "transfer-invalid", "/accounts/" + ada + "/holds/h5/capture", capture.formatted("a:b", 2));
        refused(400, "hold-invalid", "/accounts/" + ada + "/holds", hold.formatted("transfer:x", 1, expires));
        created("/accounts/" + ada + "/holds", hold.formatted("h6", 2 * CREDIT, expires));
        assertEquals(
                "POSTED",
                created("/accounts/" + ada + "/holds/h6/capture", capture.formatted(shop, 2 * CREDIT))
                        .get("phase")
                        .asText());
        HttpResponse<String> released = post("/accounts/" + ada + "/holds/h5/release", "");
        assertEquals(200, released.statusCode(), released.body());
        assertEquals(0, account(ada).get("held").asLong());
        refused(404, "hold-unknown", "/accounts/" + ada + "/holds/nope/release", "{}");
        // Derived ids (a trade's hold, a transfer's own) are not a client's to name.
        refused(400, "hold-invalid", "/accounts/" + ada + "/holds/trade:x/release", "{}");
        refused(400, "hold-invalid", "/accounts/" + ada + "/holds/transfer:x/capture", capture.formatted(shop, 1));

        long burnedBefore = account("treasury").get("burned").asLong();
        String burn = "{\"reference\": \"%s\", \"amount\": %d, \"reason\": \"expired credits\"}";
        created("/treasury/mint", "{\"reference\": \"%s-b\", \"amount\": %d}".formatted(run, CREDIT));
        created("/treasury/burn", burn.formatted(run + "-burn", CREDIT));
        created("/treasury/burn", burn.formatted(run + "-burn", CREDIT));
        assertEquals(burnedBefore + CREDIT, account("treasury").get("burned").asLong(), "once per reference");
        refused(409, "id-reused", "/treasury/burn", burn.formatted(run + "-burn", 2 * CREDIT));
        refused(400, "burn-invalid", "/treasury/burn", "{\"amount\": 1}");
        refused(400, "amount-invalid", "/treasury/burn", burn.formatted(run + "-neg", -CREDIT));
        assertConserved();
    }

    @Test
    void shouldPayADepositsInterestAtMaturityAndReturnAWithdrawnOnesPrincipal() throws Exception {
        String ada = funded("ada", 100);
        String open = "{\"id\": \"%s\", \"account\": \"%s\", \"amount\": %d, \"term\": \"%s\"}";
        JsonNode early = created("/deposits", open.formatted(run + "-d1", ada, 40 * CREDIT, "P30D"));
        assertEquals("ACTIVE", early.get("phase").asText(), early.toString());
        assertEquals(98_630, early.get("interest").asLong(), "⌊40 credits × 3 % × 30/365⌋");
        assertEquals(40 * CREDIT, account(ada).get("deposited").asLong());
        HttpResponse<String> withdrawn = post("/deposits/" + run + "-d1/withdraw", "");
        assertEquals(200, withdrawn.statusCode(), withdrawn.body());
        assertEquals("WITHDRAWN", JSON.readTree(withdrawn.body()).get("phase").asText());
        assertEquals(100 * CREDIT, account(ada).get("free").asLong(), "principal back, no interest");

        // Interest shows within seconds only on a large principal: 1,000 credits for 10 s at 3 % =
        // floor(1,000,000,000 × 300 × 10 / 315,360,000,000) = 9 micro-credits.
        String rich = funded("rich", 1_000);
        JsonNode d2 = created("/deposits", open.formatted(run + "-d2", rich, 1_000 * CREDIT, "PT10S"));
        assertEquals(9, d2.get("interest").asLong(), d2.toString());
        JsonNode paid = InProcessNode.awaitJson(
                node, "/deposits/" + run + "-d2", d -> d.get("phase").asText().equals("PAID"), TIMERS);
        assertEquals(9, paid.get("interest").asLong());
        assertEquals(1_000 * CREDIT + 9, account(rich).get("balance").asLong());
        assertEquals(0, account(rich).get("deposited").asLong());

        refused(400, "deposit-invalid", "/deposits", open.formatted(run + "-x", ada, CREDIT, "PT0.5S"));
        refused(400, "deposit-invalid", "/deposits", open.formatted(run + "-x", ada, CREDIT, "a month"));
        refused(400, "amount-invalid", "/deposits", open.formatted(run + "-x", ada, 0, "P1D"));
        JsonNode poor = created("/deposits", open.formatted(run + "-d3", ada, 101 * CREDIT, "P1D"));
        assertEquals("VOIDED", poor.get("phase").asText());
        assertTrue(poor.get("reason").asText().startsWith("insufficient-funds"), poor.toString());
        assertEquals(404, InProcessNode.getJsonStatus(node, "/deposits/" + run + "-never"));
        refused(409, "deposit-not-active", "/deposits/" + run + "-d2/withdraw", "");
        assertConserved();
    }

    @Test
    void shouldChargeAnOverdueLoanItsLateFeeAndCollectUntilRepaid() throws Exception {
        String bank = funded("lender", 50);
        String ada = funded("ada", 0);
        String shop = funded("shop", 1);
        String open = "{\"id\": \"%s\", \"lender\": \"%s\", \"borrower\": \"%s\", \"amount\": %d,"
                + " \"annualRateBps\": %d, \"dueAt\": \"%s\"}";
        String due = Instant.now().plusSeconds(6).toString();
        JsonNode loan = created("/loans", open.formatted(run + "-l1", bank, ada, 20 * CREDIT, 0, due));
        assertEquals("ACTIVE", loan.get("phase").asText(), loan.toString());
        assertEquals(20 * CREDIT, account(ada).get("balance").asLong());

        String repay = "{\"id\": \"%s\", \"amount\": %d}";
        assertEquals(
                15 * CREDIT,
                created("/loans/" + run + "-l1/repayments", repay.formatted("p1", 5 * CREDIT))
                        .get("owed")
                        .asLong());
        refused(409, "loan-overpayment", "/loans/" + run + "-l1/repayments", repay.formatted("p2", 16 * CREDIT));
        // ada spends 10 of her 15 before the due time: the loan will have to collect.
        created(
                "/transfers",
                "{\"id\": \"%s-spend\", \"from\": \"%s\", \"to\": \"%s\", \"amount\": %d}"
                        .formatted(run, ada, shop, 10 * CREDIT));

        JsonNode collected = InProcessNode.awaitJson(
                node, "/loans/" + run + "-l1", l -> l.get("repaid").asLong() == 10 * CREDIT, TIMERS);
        assertEquals("OVERDUE", collected.get("phase").asText(), collected.toString());
        assertEquals(750_000, collected.get("lateFee").asLong(), "5 % of the 15 owed at the due time");
        assertEquals(10 * CREDIT + 750_000, collected.get("owed").asLong());
        assertEquals(0, account(ada).get("free").asLong(), "all she had free, never her overdraft");

        created(
                "/transfers",
                "{\"id\": \"%s-wage\", \"from\": \"%s\", \"to\": \"%s\", \"amount\": %d}"
                        .formatted(run, shop, ada, 11 * CREDIT));
        JsonNode repaid = InProcessNode.awaitJson(
                node, "/loans/" + run + "-l1", l -> l.get("phase").asText().equals("REPAID"), TIMERS);
        assertEquals(20 * CREDIT + 750_000, repaid.get("repaid").asLong());
        assertEquals(250_000, account(ada).get("balance").asLong(), "only what was owed is collected");
        assertEquals(50 * CREDIT + 750_000, account(bank).get("balance").asLong());

        refused(400, "loan-invalid", "/loans", open.formatted(run + "-l2", ada, ada, CREDIT, 0, due));
        refused(400, "loan-invalid", "/loans", open.formatted(run + "-l2", bank, ada, CREDIT, 50_000, due));
        refused(400, "loan-invalid", "/loans", "{\"id\": \"x\"}");
        refused(404, "loan-unknown", "/loans/" + run + "-never/repayments", repay.formatted("p", CREDIT));
        refused(409, "loan-not-active", "/loans/" + run + "-l1/repayments", repay.formatted("p9", CREDIT));
        assertConserved();
    }

    private static void assertConserved() throws Exception {
        JsonNode ledger = InProcessNode.getJson(node, "/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean(), ledger.toString());
        assertEquals(0, ledger.get("problems").size(), ledger.toString());
        // Exact but for what transfers hold in flight (other regions' attention may be settling meanwhile).
        long excess = ledger.get("free").asLong()
                + ledger.get("held").asLong()
                + ledger.get("deposited").asLong()
                - (ledger.get("minted").asLong() - ledger.get("burned").asLong());
        assertTrue(excess >= 0 && excess <= ledger.get("inFlight").asLong(), ledger.toString());
    }
}

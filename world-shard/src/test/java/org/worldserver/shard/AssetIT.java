package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Assets through the operator API on a whole node and the real Cassandra: minting with its checks (overlapping
 * parcels, editions beyond their supply, malformed metadata), moves by the owner only, and buyers racing for one
 * listing: exactly one gets it, the others' credits are released, the seller is paid the price less the operator's
 * fee (2.5 % here) and the treasury the fee, the ledger stays exact and every chain intact.
 */
@WithSettings("world.asset.fee-bps = 250")
class AssetIT extends OneNodeIT {

    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return InProcessNode.post(node, path, body);
    }

    private static JsonNode answered(int status, String path, String body) throws Exception {
        HttpResponse<String> response = post(path, body);
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void refused(int status, String code, String path, String body) throws Exception {
        assertEquals(code, answered(status, path, body).get("error").asText());
    }

    private String funded(String name, long credits) throws Exception {
        String id = run + "-" + name;
        answered(201, "/accounts", "{\"id\": \"%s\", \"owner\": \"%s\", \"kind\": \"AVATAR\"}".formatted(id, name));
        answered(201, "/treasury/mint", "{\"reference\": \"%s\", \"amount\": %d}".formatted(id, credits * CREDIT));
        answered(
                201,
                "/transfers",
                "{\"id\": \"%s\", \"from\": \"treasury\", \"to\": \"%s\", \"amount\": %d}"
                        .formatted(id, id, credits * CREDIT));
        return id;
    }

    @Test
    void shouldMintWithItsChecksAndMoveOnlyByTheOwner() throws Exception {
        String parcel = "{\"id\": \"%s\", \"kind\": \"LAND_PARCEL\", \"creator\": \"operator\", \"owner\": \"%s\","
                + " \"name\": \"Plot\", \"parcel\": {\"region\": \"%s\", \"minX\": %d, \"minZ\": 0, \"maxX\": %d,"
                + " \"maxZ\": 9}}";
        String region = run + "-land";
        JsonNode plot = answered(201, "/assets", parcel.formatted(run + "-p1", "ada", region, 0, 9));
        assertEquals("ada", plot.get("owner").asText());
        answered(201, "/assets", parcel.formatted(run + "-p1", "ada", region, 0, 9)); // the same again
        refused(409, "parcel-overlap", "/assets", parcel.formatted(run + "-p2", "bob", region, 9, 12));
        answered(201, "/assets", parcel.formatted(run + "-p2", "bob", region, 10, 12));
        refused(409, "asset-exists", "/assets", parcel.formatted(run + "-p1", "eve", region, 0, 9));

        String edition = "{\"id\": \"%s\", \"kind\": \"COLLECTIBLE\", \"creator\": \"studio\", \"name\": \"Comet\","
                + " \"edition\": {\"series\": \"%s\", \"number\": %d, \"maxSupply\": 2}}";
        String series = run + "-comets";
        answered(201, "/assets", edition.formatted(run + "-c1", series, 1));
        refused(409, "edition-taken", "/assets", edition.formatted(run + "-c1b", series, 1));
        answered(201, "/assets", edition.formatted(run + "-c2", series, 2));
        refused(409, "edition-over-supply", "/assets", edition.formatted(run + "-c3", series, 3));

        refused(
                400,
                "metadata-invalid",
                "/assets",
                "{\"id\": \"%s-bad\", \"kind\": \"ITEM\", \"creator\": \"ada\", \"name\": \"x\",".formatted(run)
                        + " \"attributes\": {\"damage\": {\"type\": \"NUMBER\", \"value\": \"lots\"}}}");
        refused(400, "asset-invalid", "/assets", "{\"id\": \"x\", \"kind\": \"SPACESHIP\"}");
        refused(400, "body-invalid", "/assets", "not json");
        assertEquals(404, InProcessNode.getJsonStatus(node, "/assets/" + run + "-never"));

        String p1 = "/assets/" + run + "-p1";
        refused(403, "asset-not-owner", p1 + "/transfer", "{\"to\": \"eve\", \"by\": \"eve\"}");
        assertEquals(
                "bob",
                answered(200, p1 + "/transfer", "{\"to\": \"bob\", \"by\": \"ada\"}")
                        .get("owner")
                        .asText());
        JsonNode history = InProcessNode.getJson(node, p1).get("provenance");
        assertEquals(2, history.size());
        assertEquals("transfer", history.get(1).get("how").asText());
        JsonNode verified = InProcessNode.getJson(node, p1 + "/verify");
        assertTrue(verified.get("intact").asBoolean(), verified.toString());
        assertEquals(2, verified.get("events").asLong());
    }

    @Test
    void shouldSellToExactlyOneOfTheBuyersRacingForAListing() throws Exception {
        String ada = funded("ada", 1);
        String item = "{\"id\": \"%s\", \"kind\": \"ITEM\", \"creator\": \"%s\", \"name\": \"Lantern\","
                + " \"tags\": [\"light\"], \"attributes\": {\"lumens\": {\"type\": \"NUMBER\", \"value\": \"800\"}}}";
        String lantern = run + "-lantern";
        answered(201, "/assets", item.formatted(lantern, ada));
        String listing = "{\"price\": %d, \"by\": \"%s\"}";
        refused(400, "price-invalid", "/assets/" + lantern + "/listing", listing.formatted(0, ada));
        refused(403, "asset-not-owner", "/assets/" + lantern + "/listing", listing.formatted(CREDIT, "eve"));
        answered(200, "/assets/" + lantern + "/listing", listing.formatted(5 * CREDIT, ada));

        List<String> buyers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            buyers.add(funded("buyer" + i, 8));
        }
        long treasuryBefore =
                InProcessNode.getJson(node, "/accounts/treasury").get("balance").asLong();
        List<CompletableFuture<JsonNode>> racing = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String buyer = buyers.get(i);
            String body =
                    "{\"trade\": \"%s-t%d\", \"buyer\": \"%s\", \"price\": %d}".formatted(run, i, buyer, 5 * CREDIT);
            racing.add(CompletableFuture.supplyAsync(() -> {
                try {
                    HttpResponse<String> r = post("/assets/" + lantern + "/buy", body);
                    JsonNode answer = JSON.readTree(r.body());
                    // 201 and the trade when it won; 409 with what refused it when it lost.
                    assertEquals(answer.has("phase") ? 201 : 409, r.statusCode(), r.body());
                    return answer;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<JsonNode> trades = racing.stream().map(CompletableFuture::join).toList();
        List<JsonNode> completed = trades.stream()
                .filter(t -> t.has("phase") && t.get("phase").asText().equals("COMPLETED"))
                .toList();
        assertEquals(1, completed.size(), trades.toString());
        for (JsonNode lost : trades) {
            if (!lost.has("phase")) {
                String code = lost.get("error").asText();
                assertTrue(code.equals("asset-locked") || code.equals("asset-not-listed"), lost.toString());
            }
        }
        String winner = completed.get(0).get("buyer").asText();
        assertEquals(
                winner,
                InProcessNode.getJson(node, "/assets/" + lantern).get("owner").asText());
        for (String buyer : buyers) {
            JsonNode account = InProcessNode.getJson(node, "/accounts/" + buyer);
            assertEquals(0, account.get("held").asLong(), "every losing hold released: " + account);
            assertEquals(
                    buyer.equals(winner) ? 3 * CREDIT : 8 * CREDIT,
                    account.get("balance").asLong());
        }
        long fee = 5 * CREDIT / 40;
        assertEquals(fee, completed.get(0).get("fee").asLong(), completed.get(0).toString());
        assertEquals(
                6 * CREDIT - fee,
                InProcessNode.getJson(node, "/accounts/" + ada).get("balance").asLong(),
                "the seller gets the price less the operator's fee");
        assertEquals(
                treasuryBefore + fee,
                InProcessNode.getJson(node, "/accounts/treasury").get("balance").asLong(),
                "the treasury gets the fee");
        assertEquals(
                "COMPLETED",
                InProcessNode.getJson(
                                node, "/trades/" + completed.get(0).get("id").asText())
                        .get("phase")
                        .asText());
        JsonNode ledger = InProcessNode.getJson(node, "/ledger/check");
        assertTrue(ledger.get("conserved").asBoolean(), ledger.toString());
        JsonNode verified = InProcessNode.getJson(node, "/assets/" + lantern + "/verify");
        assertTrue(verified.get("intact").asBoolean(), verified.toString());
    }

    @Test
    void shouldCountPlacementsAndUsesOfAModelForItsOwnerOnly() throws Exception {
        String chair = run + "-chair";
        answered(
                201,
                "/assets",
                ("{\"id\": \"%s\", \"kind\": \"MODEL\", \"creator\": \"ada\", \"owner\": \"ada\","
                                + " \"name\": \"Chair\", \"contentHash\": \"%s\"}")
                        .formatted(chair, "ab".repeat(32)));
        String item = run + "-cup";
        answered(
                201,
                "/assets",
                "{\"id\": \"%s\", \"kind\": \"ITEM\", \"creator\": \"ada\", \"owner\": \"ada\", \"name\": \"Cup\"}"
                        .formatted(item));
        String placement =
                "{\"placement\": \"%s\", \"region\": \"%s\", \"x\": %s, \"y\": 0, \"z\": 10, \"by\": \"%s\"}";
        String at = "/assets/" + chair;
        JsonNode placed = answered(201, at + "/placements", placement.formatted("p1", "lobby", "10", "ada"));
        assertEquals(1, placed.get("livePlacements").asInt());
        answered(201, at + "/placements", placement.formatted("p1", "lobby", "10", "ada")); // a repeat
        refused(409, "placement-exists", at + "/placements", placement.formatted("p1", "lobby", "12", "ada"));
        refused(400, "usage-invalid", at + "/placements", placement.formatted("p2", "lobby", "5000", "ada"));
        refused(404, "region-unknown", at + "/placements", placement.formatted("p2", "atlantis", "10", "ada"));
        refused(403, "asset-not-owner", at + "/placements", placement.formatted("p2", "lobby", "10", "eve"));
        refused(
                409,
                "asset-not-placeable",
                "/assets/" + item + "/placements",
                placement.formatted("p1", "lobby", "10", "ada"));
        refused(
                404,
                "asset-unknown",
                "/assets/" + run + "-none/placements",
                placement.formatted("p1", "lobby", "10", "ada"));

        String use = "{\"use\": \"%s\", \"region\": \"%s\", \"user\": \"bob\"}";
        answered(201, at + "/uses", use.formatted("u1", "lobby"));
        answered(201, at + "/uses", use.formatted("u1", "lobby")); // a repeat counts once
        answered(201, at + "/uses", use.formatted("u2", "lobby"));
        refused(409, "asset-not-placed", at + "/uses", use.formatted("u3", "harbour"));
        refused(400, "usage-invalid", at + "/uses", "{\"use\": \"u:4\", \"region\": \"lobby\", \"user\": \"bob\"}");

        assertEquals(403, InProcessNode.getJsonStatus(node, at + "/usage?by=bob"), "the owner's only");
        JsonNode usage = InProcessNode.getJson(node, at + "/usage?by=ada");
        assertEquals(2, usage.get("uses").asLong(), usage.toString());
        assertEquals(2, usage.get("usesByRegion").get("lobby").asLong());
        assertEquals(1, usage.get("placed").asLong());
        assertEquals("p1", usage.get("placements").get(0).get("id").asText());

        HttpResponse<String> removed = InProcessNode.delete(node, at + "/placements/p1", "{\"by\": \"ada\"}");
        assertEquals(200, removed.statusCode(), removed.body());
        refused(409, "asset-not-placed", at + "/uses", use.formatted("u5", "lobby"));
        usage = InProcessNode.getJson(node, at + "/usage?by=ada");
        assertEquals(0, usage.get("livePlacements").asInt());
        assertEquals(2, usage.get("uses").asLong());
    }

    private static List<String> ids(JsonNode results) {
        List<String> ids = new ArrayList<>();
        results.get("results").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void shouldIndexTheAssetsAndAnswerAsTheAssetsAreEvenAfterARebuild() throws Exception {
        String owner = run + "-collector";
        String other = run + "-other";
        String tag = "t" + run;
        String item = "{\"id\": \"%s\", \"kind\": \"ITEM\", \"creator\": \"%s\", \"owner\": \"%s\","
                + " \"name\": \"%s\", \"tags\": [\"%s\"], \"attributes\": {\"level\": {\"type\": \"NUMBER\","
                + " \"value\": \"%d\"}}}";
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = run + "-i" + (i < 10 ? "0" : "") + i;
            String name = (i % 2 == 0 ? "Iron Sword " : "Glass Lantern ") + i;
            answered(201, "/assets", item.formatted(id, owner, owner, name, i % 3 == 0 ? tag : "plain", i));
            mine.add(id);
        }
        // Some listed at 10 + i credits, one sold away by transfer.
        for (int i = 0; i < 12; i += 2) {
            answered(
                    200,
                    "/assets/" + mine.get(i) + "/listing",
                    "{\"price\": %d, \"by\": \"%s\"}".formatted((10 + i) * CREDIT, owner));
        }
        answered(
                200,
                "/assets/" + mine.get(1) + "/transfer",
                "{\"to\": \"%s\", \"by\": \"%s\"}".formatted(other, owner));

        String byOwner = "/assets?limit=500&owner=" + owner;
        List<String> expectedOwned = new ArrayList<>(mine);
        expectedOwned.remove(mine.get(1));
        // The exact list, ordered by id, the transferred one gone; awaitIndex fails with the last answer if it never
        // gets there. (A count of 11 also matched while the last mint was not indexed yet and the transferred one
        // not yet gone: seen once in CI.)
        awaitIndex(byOwner, r -> ids(r).equals(expectedOwned) && r.get("live").asBoolean());
        awaitIndex("/assets?owner=" + other, r -> r.get("count").asInt() == 1);

        assertEquals(
                List.of(mine.get(0), mine.get(3), mine.get(6), mine.get(9)),
                ids(InProcessNode.getJson(node, "/assets?limit=500&tag=" + tag)));
        assertEquals(
                List.of(mine.get(4), mine.get(5), mine.get(6)),
                ids(InProcessNode.getJson(node, byOwner + "&attr.level.min=4&attr.level.max=6")));
        assertEquals(List.of(mine.get(7)), ids(InProcessNode.getJson(node, byOwner + "&attr.level=7")));
        assertEquals(
                List.of(mine.get(2), mine.get(4)),
                ids(InProcessNode.getJson(node, byOwner + "&min_price=" + 12 * CREDIT + "&max_price=" + 14 * CREDIT)));
        assertEquals(
                List.of(mine.get(0), mine.get(2), mine.get(4), mine.get(6), mine.get(8), mine.get(10)),
                ids(InProcessNode.getJson(node, byOwner + "&q=iron%20sw")));
        JsonNode page = InProcessNode.getJson(node, byOwner + "&limit=5");
        assertEquals(5, page.get("count").asInt());
        assertEquals(
                expectedOwned.subList(5, 10),
                ids(InProcessNode.getJson(
                        node, byOwner + "&limit=5&after=" + page.get("next").asText())),
                "the next page");
        assertEquals(400, InProcessNode.getJsonStatus(node, "/assets?kind=SPACESHIP"));
        assertEquals(400, InProcessNode.getJsonStatus(node, "/assets?min_price=lots"));

        JsonNode status = InProcessNode.getJson(node, "/assets/index/status");
        System.out.printf("asset index after the workload: %s%n", status);
        assertTrue(status.get("live").asBoolean(), status.toString());
        assertTrue(status.get("applied").asLong() >= 19, status.toString());
        assertTrue(status.get("lagMillis").asLong() >= 0, status.toString());

        // Rebuilt from the journal: the same answers.
        answered(200, "/assets/index/rebuild", "");
        awaitIndex(byOwner, r -> r.get("live").asBoolean() && ids(r).equals(expectedOwned));
        assertEquals(
                List.of(mine.get(2), mine.get(4)),
                ids(InProcessNode.getJson(node, byOwner + "&min_price=" + 12 * CREDIT + "&max_price=" + 14 * CREDIT)));
    }

    /** The index follows the journal by seconds (its events-by-tag delay and polling). */
    private static JsonNode awaitIndex(String path, java.util.function.Predicate<JsonNode> done) throws Exception {
        return InProcessNode.awaitJson(node, path, done, java.time.Duration.ofSeconds(60));
    }
}

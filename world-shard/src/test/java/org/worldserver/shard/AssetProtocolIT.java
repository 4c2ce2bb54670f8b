package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.shard.StateSyncIT.ClientDriver;
import org.worldserver.shard.StateSyncIT.Player;

/**
 * Assets through the client protocol on a whole node (real Cassandra, real Aeron UDP on loopback, the client SDK):
 * each session acts as its own avatar, proved by its connect token. The owner lists a model, another avatar buys it
 * (credits held and paid, the operator's fee to the treasury), places it in its region and it is used there; only
 * the owner reads its usage; what is refused comes back with the operator API's stable codes.
 */
@WithSettings("world.asset.fee-bps = 250")
class AssetProtocolIT extends OneNodeIT {

    private static final long CREDIT = 1_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String run = UUID.randomUUID().toString().substring(0, 6);

    /** Answers by avatar, then request id (each client numbers its own requests): "STATUS message". */
    private final Map<String, Map<Long, String>> answers = new ConcurrentHashMap<>();

    private Listener answersOf(String avatar) {
        Map<Long, String> mine = answers.computeIfAbsent(avatar, a -> new ConcurrentHashMap<>());
        return new Listener() {
            @Override
            public void onResponse(long requestId, ResponseStatus status, String message) {
                mine.put(requestId, status + " " + message);
            }
        };
    }

    private static void posted(int status, String path, String body) throws Exception {
        HttpResponse<String> r = InProcessNode.post(node, path, body);
        assertEquals(status, r.statusCode(), r.body());
    }

    /** Sends a request and polls until it is answered; its "STATUS message". */
    private String ask(Player p, List<Player> all, int kind, byte[] payload) {
        long id = p.client().request(kind, payload, System.nanoTime());
        assertTrue(id >= 0, "connected");
        Map<Long, String> mine = answers.get(p.id());
        StateSyncIT.pollUntil(all, 30, () -> mine.containsKey(id), () -> {});
        return mine.get(id);
    }

    /** Fails unless {@code answer} is the refusal that starts with {@code expected} ("STATUS code: "). */
    private static void refused(String expected, String answer) {
        assertTrue(answer.startsWith(expected), () -> "expected " + expected + "..., was " + answer);
    }

    private static JsonNode ok(String answer) throws Exception {
        assertTrue(answer.startsWith("OK "), answer);
        return JSON.readTree(answer.substring(3));
    }

    @Test
    void shouldTradePlaceAndUseAssetsAsTheSessionsAvatar() throws Exception {
        String ada = "ada-" + run;
        String bob = "bob-" + run;
        String eve = "eve-" + run; // an avatar whose name an operator's account already has
        posted(201, "/accounts", "{\"id\": \"%s\", \"owner\": \"operator\", \"kind\": \"AVATAR\"}".formatted(eve));
        HttpResponse<String> reserved = InProcessNode.post(
                node, "/avatars", "{\"id\": \"treasury\", \"displayName\": \"T\", \"publicKey\": \"AAAA\"}");
        assertEquals(409, reserved.statusCode(), reserved.body());
        assertTrue(reserved.body().contains("avatar-id-reserved"), reserved.body());
        for (String avatar : List.of(ada, bob)) {
            posted(
                    201,
                    "/accounts",
                    "{\"id\": \"%s\", \"owner\": \"%s\", \"kind\": \"AVATAR\"}".formatted(avatar, avatar));
        }
        posted(201, "/treasury/mint", "{\"reference\": \"%s\", \"amount\": %d}".formatted(bob, 10 * CREDIT));
        posted(
                201,
                "/transfers",
                "{\"id\": \"%s\", \"from\": \"treasury\", \"to\": \"%s\", \"amount\": %d}"
                        .formatted(bob, bob, 10 * CREDIT));
        String chair = run + "-chair";
        posted(
                201,
                "/assets",
                ("{\"id\": \"%s\", \"kind\": \"MODEL\", \"creator\": \"%s\", \"owner\": \"%s\","
                                + " \"name\": \"Chair\", \"contentHash\": \"%s\"}")
                        .formatted(chair, ada, ada, "cd".repeat(32)));

        try (ClientDriver driver = new ClientDriver(0)) {
            Player seller = StateSyncIT.connect(node, driver, ada, "lobby", answersOf(ada));
            Player buyer = StateSyncIT.connect(node, driver, bob, "lobby", answersOf(bob));
            Player stranger = StateSyncIT.connect(node, driver, eve, "lobby", answersOf(eve));
            List<Player> both = List.of(seller, buyer, stranger);
            StateSyncIT.pollUntil(
                    both,
                    60,
                    () -> both.stream().allMatch(p -> p.client().state() == WorldClient.State.CONNECTED),
                    () -> {});

            JsonNode got = ok(ask(buyer, both, AssetRequests.GET, AssetRequests.get(chair)));
            assertEquals(ada, got.get("owner").asText());
            assertEquals("MODEL", got.get("kind").asText());
            refused(
                    "UNAUTHORIZED asset-not-owner: ",
                    ask(buyer, both, AssetRequests.LIST, AssetRequests.list(chair, 4 * CREDIT)));
            assertEquals(
                    "LISTED",
                    ok(ask(seller, both, AssetRequests.LIST, AssetRequests.list(chair, 4 * CREDIT)))
                            .get("status")
                            .asText());

            refused(
                    "UNAUTHORIZED account-not-owner: ",
                    ask(stranger, both, AssetRequests.BUY, AssetRequests.buy(chair, run + "-t0", 4 * CREDIT)));
            refused(
                    "BAD_REQUEST trade-invalid: ",
                    ask(buyer, both, AssetRequests.BUY, AssetRequests.buy(chair, run + "-t0", 0)));
            String trade = run + "-t1";
            JsonNode bought = ok(ask(buyer, both, AssetRequests.BUY, AssetRequests.buy(chair, trade, 4 * CREDIT)));
            assertEquals("COMPLETED", bought.get("phase").asText(), bought.toString());
            assertEquals(ada, bought.get("seller").asText());
            assertEquals(4 * CREDIT / 40, bought.get("fee").asLong());
            assertEquals(
                    bought,
                    ok(ask(buyer, both, AssetRequests.BUY, AssetRequests.buy(chair, trade, 4 * CREDIT))),
                    "the same trade again: its outcome, nothing moved twice");
            refused(
                    "CONFLICT asset-not-listed: ",
                    ask(seller, both, AssetRequests.BUY, AssetRequests.buy(chair, run + "-t2", CREDIT)));

            refused(
                    "UNAUTHORIZED asset-not-owner: ",
                    ask(seller, both, AssetRequests.PLACE, AssetRequests.place(chair, "p1", 10, 0, 10)));
            refused(
                    "BAD_REQUEST usage-invalid: ",
                    ask(buyer, both, AssetRequests.PLACE, AssetRequests.place(chair, "p1", 5000, 0, 10)));
            assertEquals(
                    1,
                    ok(ask(buyer, both, AssetRequests.PLACE, AssetRequests.place(chair, "p1", 10, 0, 10)))
                            .get("livePlacements")
                            .asInt());
            ok(ask(seller, both, AssetRequests.USE, AssetRequests.use(chair)));
            ok(ask(buyer, both, AssetRequests.USE, AssetRequests.use(chair)));
            refused(
                    "UNAUTHORIZED asset-not-owner: ",
                    ask(seller, both, AssetRequests.USAGE, AssetRequests.usage(chair)));
            JsonNode usage = ok(ask(buyer, both, AssetRequests.USAGE, AssetRequests.usage(chair)));
            assertEquals(2, usage.get("uses").asLong(), usage.toString());
            assertEquals(1, usage.get("placed").asLong());
            assertEquals(
                    0,
                    ok(ask(buyer, both, AssetRequests.UNPLACE, AssetRequests.unplace(chair, "p1")))
                            .get("livePlacements")
                            .asInt());
            refused(
                    "NOT_FOUND asset-unknown: ",
                    ask(buyer, both, AssetRequests.GET, AssetRequests.get(run + "-nothing")));
            refused(
                    "BAD_REQUEST asset-invalid: ",
                    ask(buyer, both, AssetRequests.TRANSFER, AssetRequests.transfer(chair, "x:y")));

            for (Player p : both) {
                p.client().close();
            }
        }
        assertEquals(
                10 * CREDIT - 4 * CREDIT,
                InProcessNode.getJson(node, "/accounts/" + bob).get("balance").asLong());
        assertEquals(
                4 * CREDIT - 4 * CREDIT / 40,
                InProcessNode.getJson(node, "/accounts/" + ada).get("balance").asLong());
        assertEquals(
                bob,
                InProcessNode.getJson(node, "/assets/" + chair).get("owner").asText());
    }
}

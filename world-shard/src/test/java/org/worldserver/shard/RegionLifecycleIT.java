package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellLayout;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDefinition;
import org.worldserver.shard.region.WorldRegions;

/**
 * Regions created and closed through the operator API on the real Cassandra: a region closed with avatars inside
 * hands every one of them to the fallback region, and the registry (created and closed regions) survives a
 * node restart.
 */
@ExtendWith(RealCassandra.class)
class RegionLifecycleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static WorldNode startNode() throws Exception {
        return InProcessNode.start("");
    }

    private static HttpResponse<String> send(WorldNode node, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.operatorUri() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode expect(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** How many cells of {@code region} own {@code avatar}. */
    private static int owners(WorldNode node, RegionDefinition region, String avatar) throws Exception {
        WorldRegions regions = WorldRegions.get(node.system());
        int owners = 0;
        for (CellId id : new CellLayout(region).allCells()) {
            RegionCell.Location l = regions.cell(id)
                    .<RegionCell.Location>ask(r -> new RegionCell.Locate(avatar, r), Duration.ofSeconds(10))
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            owners += l.present() ? 1 : 0;
        }
        return owners;
    }

    @Test
    void shouldCreateCloseAndRememberRegionsAndLoseNoAvatarWhenOneCloses() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String isle = "isle-" + suffix;
        String atoll = "atoll-" + suffix;
        String isleJson = "{\"name\": \"" + isle + "\", \"max\": [128, 32, 128], \"cell-size\": 64}";
        WorldNode first = startNode();
        try {
            JsonNode created = expect(send(first, "POST", "/regions", isleJson), 201);
            assertEquals(isle, created.get("definition").get("name").asText());
            assertTrue(created.get("open").asBoolean());
            expect(send(first, "POST", "/regions", isleJson), 201); // the same definition again: idempotent
            String conflict = "{\"name\": \"" + isle + "\", \"max\": [256, 32, 256]}";
            assertEquals(
                    "region-exists",
                    expect(send(first, "POST", "/regions", conflict), 409)
                            .get("error")
                            .asText());
            assertEquals(
                    "region-invalid",
                    expect(send(first, "POST", "/regions", "{\"name\": "), 400)
                            .get("error")
                            .asText());
            assertEquals(
                    "region-invalid",
                    expect(send(first, "POST", "/regions", "{\"name\": \"x\", \"tickHz\": 30}"), 400)
                            .get("error")
                            .asText());
            expect(send(first, "POST", "/regions", "{\"name\": \"" + atoll + "\"}"), 201);

            WorldRegions regions = WorldRegions.get(first.system());
            float[][] spots = {{10, 10}, {100, 10}, {100, 100}, {10, 100}, {64, 64}, {63.9f, 63.9f}};
            for (int i = 0; i < spots.length; i++) {
                StatusReply<RegionCell.Joined> joined = regions.join("v" + i, isle, spots[i][0], 0, spots[i][1])
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                assertTrue(joined.isSuccess(), joined.toString());
            }
            JsonNode live = expect(send(first, "GET", "/regions/" + isle, null), 200);
            assertEquals(spots.length, live.get("totals").get("avatars").asInt(), live.toString());
            assertEquals(4, live.get("cells").size());

            assertEquals(
                    "region-is-fallback",
                    expect(send(first, "DELETE", "/regions/lobby", null), 409)
                            .get("error")
                            .asText());
            assertEquals(
                    "region-not-found",
                    expect(send(first, "DELETE", "/regions/nowhere-" + suffix, null), 404)
                            .get("error")
                            .asText());

            JsonNode closed = expect(send(first, "DELETE", "/regions/" + isle, null), 200);
            assertEquals(spots.length, closed.get("moved").asInt(), closed.toString());
            assertEquals(0, closed.get("remaining").asInt());
            assertEquals("lobby", closed.get("fallback").asText());
            RegionDefinition lobby = regions.catalog().open("lobby").orElseThrow();
            RegionDefinition isleDefinition = RegionDefinition.fromJson(
                    isleJson, first.system().settings().config());
            for (int i = 0; i < spots.length; i++) {
                assertEquals(1, owners(first, lobby, "v" + i), "v" + i + " is in the lobby, once");
                assertEquals(0, owners(first, isleDefinition, "v" + i), "and no longer in " + isle);
            }
            StatusReply<RegionCell.Joined> late =
                    regions.join("late", isle, 10, 0, 10).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(late.isError() && late.getError().getMessage().startsWith("region-not-found"), late.toString());
            expect(send(first, "DELETE", "/regions/" + isle, null), 200); // closing again: nothing left to move
        } finally {
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }

        WorldNode second = startNode();
        try {
            JsonNode isleAfter = expect(send(second, "GET", "/regions/" + isle, null), 200);
            assertFalse(isleAfter.get("open").asBoolean(), "still closed after the restart");
            assertEquals("lobby", isleAfter.get("fallback").asText());
            JsonNode atollAfter = expect(send(second, "GET", "/regions/" + atoll, null), 200);
            assertTrue(atollAfter.get("open").asBoolean(), "a region created through the API outlives the node");
            assertEquals(16, atollAfter.get("cells").size());
        } finally {
            second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}

package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.loadtest.ClientCommand;

/**
 * {@code bin/world client} (its {@link ClientCommand}) against a whole node with the real Cassandra: two avatars,
 * registered on first use, log in, connect over UDP, one walks and one stands; each one's JSON names the other
 * among the entities seen, counts snapshots and the last acknowledged input. A second run of the same avatar
 * signs in with the key it kept.
 */
class ClientCommandIT extends OneNodeIT {

    private static ClientCommand.Options options(String avatar, boolean move, Path keys) {
        return new ClientCommand.Options(
                avatar, 3, move, URI.create(node.operatorUri().toString()), keys);
    }

    @Test
    void shouldShowTwoCommandLineClientsEachOther(@TempDir Path keys) throws Exception {
        String walker = "cli-walker-" + UUID.randomUUID().toString().substring(0, 8);
        String stander = "cli-stander-" + UUID.randomUUID().toString().substring(0, 8);
        List<CompletableFuture<ObjectNode>> runs = new ArrayList<>();
        for (ClientCommand.Options o : List.of(options(walker, true, keys), options(stander, false, keys))) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ClientCommand.run(o);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        JsonNode walked = runs.get(0).get(60, TimeUnit.SECONDS);
        JsonNode stood = runs.get(1).get(60, TimeUnit.SECONDS);
        for (JsonNode result : List.of(walked, stood)) {
            assertTrue(result.get("ok").asBoolean(), result.toString());
            assertTrue(result.get("snapshots_received").asInt() > 20, result.toString());
            assertTrue(result.get("last_acked_input").asInt() > 20, result.toString());
            assertTrue(result.get("input_rtt_ms").get("count").asInt() > 0, result.toString());
        }
        assertEquals(walker, walked.get("avatar").asText());
        assertTrue(walked.get("entities_seen").toString().contains("\"" + stander + "\""), walked.toString());
        assertTrue(stood.get("entities_seen").toString().contains("\"" + walker + "\""), stood.toString());
        assertTrue(Files.exists(keys.resolve(walker + ".key")), "the key is kept for the next run");

        JsonNode again = ClientCommand.run(options(walker, false, keys));
        assertTrue(again.get("ok").asBoolean(), "signed in with the kept key: " + again);
    }
}

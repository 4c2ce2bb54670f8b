package org.worldserver.shard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/** The API's answer to a world that did not answer in time, on a real HTTP server on loopback. */
class JsonRepliesTest {

    @Test
    void shouldAnswerATimedOutAskWith503WorldBusyAndRetryAfter() throws Exception {
        // A plain local system (the node's application.conf would make a cluster and exit the JVM at the end).
        ActorSystem system = ActorSystem.create(
                "json-replies-test",
                ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                        .withFallback(ConfigFactory.defaultReference()));
        try {
            ServerBinding binding = Http.get(system)
                    .newServerAt("127.0.0.1", 0)
                    .bind(JsonReplies.busyAnswered(() -> Directives.concat(
                            Directives.path("slow", () -> Directives.failWith(new AskTimeoutException("3000 ms"))),
                            Directives.path("broken", () -> Directives.failWith(new IllegalStateException("bug"))))))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + binding.localAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> slow = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, slow.statusCode());
            assertEquals("1", slow.headers().firstValue("Retry-After").orElse(""));
            assertEquals(
                    "world-busy",
                    JsonReplies.mapper().readTree(slow.body()).get("error").asText());

            HttpResponse<String> broken = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/broken")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, broken.statusCode(), "a bug is not a busy world");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}

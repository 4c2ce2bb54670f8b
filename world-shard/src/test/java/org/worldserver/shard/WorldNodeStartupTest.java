package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.CassandraUnavailableException;

class WorldNodeStartupTest {

    private static Config configWithCassandraAt(int port, String startupCheckTimeout) {
        return ConfigFactory.parseString("datastax-java-driver.basic.contact-points = [\"127.0.0.1:" + port + "\"]\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.management.http.port = 0\n"
                        + "world.persistence.startup-check-timeout = " + startupCheckTimeout + "\n")
                .withFallback(ConfigFactory.load());
    }

    @Test
    void shouldFailFastWithAClearMessageWhenCassandraIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Config config = configWithCassandraAt(closedPort, "20s");

        long started = System.nanoTime();
        CompletableFuture<WorldNode> node = WorldNode.start(config).toCompletableFuture();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> node.get(30, TimeUnit.SECONDS));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        CassandraUnavailableException error = assertInstanceOf(CassandraUnavailableException.class, failure.getCause());
        assertTrue(
                error.getMessage().startsWith("Cannot reach Cassandra at 127.0.0.1:" + closedPort), error.getMessage());
        assertTrue(error.getMessage().contains("bin/world cassandra start"), error.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(25)) < 0, "took " + took);
    }

    /** A peer that accepts TCP connections but never speaks CQL must not hang the start either. */
    @Test
    void shouldFailWithinTheCheckTimeoutWhenCassandraAcceptsButNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            long started = System.nanoTime();
            CompletableFuture<WorldNode> node = WorldNode.start(configWithCassandraAt(silent.getLocalPort(), "8s"))
                    .toCompletableFuture();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> node.get(30, TimeUnit.SECONDS));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertInstanceOf(CassandraUnavailableException.class, failure.getCause());
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
        }
    }
}

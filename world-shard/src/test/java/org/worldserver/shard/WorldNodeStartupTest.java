package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.CassandraUnavailableException;
import org.worldserver.persistence.testkit.FreePorts;

/** A node whose Cassandra does not answer fails fast, says why, and releases everything it bound. */
class WorldNodeStartupTest {

    private final int[] nodePorts = FreePorts.allocate(2);

    private Config configWithCassandraAt(int port, String startupCheckTimeout) {
        return ConfigFactory.parseString("datastax-java-driver.basic.contact-points = [\"127.0.0.1:" + port + "\"]\n"
                        + "pekko.remote.artery.canonical.port = " + nodePorts[0] + "\n"
                        + "pekko.management.http.port = " + nodePorts[1] + "\n"
                        + "world.persistence.startup-check-timeout = " + startupCheckTimeout + "\n")
                .withFallback(ConfigFactory.load());
    }

    @Test
    void shouldFailFastWithAClearMessageWhenNothingListensAtTheContactPoint() throws Exception {
        int closedPort = FreePorts.one();

        long started = System.nanoTime();
        CompletableFuture<WorldNode> node =
                WorldNode.start(configWithCassandraAt(closedPort, "30s")).toCompletableFuture();
        ExecutionException failure = assertThrows(ExecutionException.class, () -> node.get(40, TimeUnit.SECONDS));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        CassandraUnavailableException error = assertInstanceOf(CassandraUnavailableException.class, failure.getCause());
        assertTrue(
                error.getMessage().startsWith("Cannot reach Cassandra at 127.0.0.1:" + closedPort), error.getMessage());
        assertTrue(error.getMessage().contains("bin/world cassandra start"), error.getMessage());
        // A refused connection is an answer: no waiting out the 30 s check timeout.
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
        awaitReleased(nodePorts);
    }

    /** A peer that accepts TCP connections but never speaks CQL must not hang the start either. */
    @Test
    void shouldGiveUpAfterTheCheckTimeoutWhenCassandraAcceptsButNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long started = System.nanoTime();
            CompletableFuture<WorldNode> node = WorldNode.start(configWithCassandraAt(silent.getLocalPort(), "2s"))
                    .toCompletableFuture();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> node.get(30, TimeUnit.SECONDS));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            CassandraUnavailableException error =
                    assertInstanceOf(CassandraUnavailableException.class, failure.getCause());
            assertTrue(error.getMessage().contains("no answer within 2 s"), error.getMessage());
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "took " + took);
        }
        awaitReleased(nodePorts);
    }

    /** The failed node's actor system terminated: its cluster and operator ports can be bound again. */
    private static void awaitReleased(int[] ports) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (int port : ports) {
            while (!bindable(port)) {
                assertTrue(System.nanoTime() < deadline, "port " + port + " still bound by the failed node");
                Thread.sleep(100);
            }
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}

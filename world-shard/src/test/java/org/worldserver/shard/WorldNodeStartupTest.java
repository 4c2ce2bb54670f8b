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

  @Test
  void shouldFailFastWithAClearMessageWhenCassandraIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Config config = ConfigFactory.parseString(
            "datastax-java-driver.basic.contact-points = [\"127.0.0.1:" + closedPort + "\"]\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.management.http.port = 0\n"
                + "world.persistence.startup-check-timeout = 20s\n")
        .withFallback(ConfigFactory.load());

    long started = System.nanoTime();
    CompletableFuture<WorldNode> node = WorldNode.start(config).toCompletableFuture();
    ExecutionException failure = assertThrows(ExecutionException.class, () -> node.get(30, TimeUnit.SECONDS));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    CassandraUnavailableException error = assertInstanceOf(CassandraUnavailableException.class, failure.getCause());
    assertTrue(error.getMessage().startsWith("Cannot reach Cassandra at 127.0.0.1:" + closedPort), error.getMessage());
    assertTrue(error.getMessage().contains("bin/world cassandra start"), error.getMessage());
    assertTrue(took.compareTo(Duration.ofSeconds(25)) < 0, "took " + took);
  }
}

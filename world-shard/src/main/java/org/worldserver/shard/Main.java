package org.worldserver.shard;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.worldserver.persistence.CassandraUnavailableException;

/**
 * Entry point of a world server node: {@code bin/world start} runs it.
 *
 * <p>Reads the configuration ({@code application.conf}, or the file/resource named by {@code -Dconfig.file} /
 * {@code -Dconfig.resource}, with {@code -D} overrides), starts a {@link WorldNode} and blocks until its actor
 * system terminates. SIGTERM and Ctrl-C run Pekko's CoordinatedShutdown through the JVM shutdown hook.
 *
 * <p>Exit codes: 1 when the node could not start, 2 when Cassandra could not be reached, 143 after SIGTERM (the
 * JVM's own; bin/world reports it as 0, a requested stop), 255 when the cluster downed the node (Pekko's
 * reason-specific exit code -1).
 */
public final class Main {

    static final int EXIT_START_FAILED = 1;
    static final int EXIT_CASSANDRA_UNAVAILABLE = 2;

    private Main() {}

    public static void main(String[] args) {
        long started = System.nanoTime();
        Config config = ConfigFactory.load();
        WorldNode node;
        try {
            node = WorldNode.start(config).toCompletableFuture().get();
        } catch (ExecutionException | CompletionException e) {
            System.exit(fail(e.getCause()));
            return;
        } catch (RuntimeException e) {
            System.exit(fail(e));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(EXIT_START_FAILED);
            return;
        }
        Duration startup = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf(
                "%nWorld node up in %.1f s: %s%n"
                        + "  operator API  %s  (/ready /alive /metrics /info /cluster/members)%n"
                        + "  Cassandra     %s (release %s)%n"
                        + "  clients       %s%n"
                        + "Stop with Ctrl-C or SIGTERM.%n%n",
                startup.toMillis() / 1000.0,
                node.system().address(),
                node.operatorUri(),
                String.join(", ", config.getStringList("datastax-java-driver.basic.contact-points")),
                node.cassandraVersion(),
                config.getBoolean("world.gateway.enabled")
                        ? "log in with POST " + node.operatorUri() + "/sessions, then UDP to "
                                + config.getString("world.gateway.public-host") + ":"
                                + config.getInt("world.gateway.port")
                        : "UDP gateway off (world.gateway.enabled)");
        node.system().getWhenTerminated().toCompletableFuture().join();
    }

    private static int fail(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CassandraUnavailableException) {
            System.err.println("world node: " + cause.getMessage());
            return EXIT_CASSANDRA_UNAVAILABLE;
        }
        if (cause instanceof TimeoutException) {
            System.err.println("world node: did not start within world.node.startup-timeout; see the log above");
            return EXIT_START_FAILED;
        }
        StringBuilder message = new StringBuilder("world node: could not start: ").append(cause);
        for (Throwable c = cause.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            message.append("\n  caused by: ").append(c);
        }
        System.err.println(message);
        return EXIT_START_FAILED;
    }
}

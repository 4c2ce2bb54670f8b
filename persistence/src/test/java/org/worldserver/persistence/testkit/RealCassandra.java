package org.worldserver.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.worldserver.persistence.CassandraSchema;
import org.worldserver.persistence.DriverConfig;
import org.worldserver.persistence.PersistenceSettings;
import org.worldserver.persistence.cassandra.LocalCassandra;
import org.worldserver.persistence.cassandra.LocalCassandraSettings;

/**
 * A real Cassandra for integration tests, started by the project's own launcher: one server per test JVM,
 * started by the first test class that uses {@code @ExtendWith(RealCassandra.class)}, with the project's CQL
 * schema applied, and stopped when the JUnit run ends (or the JVM exits).
 *
 * <p>It lives in {@code target/real-cassandra} of the module under test, on free ports, and starts from empty
 * data each run; a server left by a killed earlier run in the same folder is stopped first. Tests share it, so
 * they use unique entity ids instead of dropping keyspaces.
 *
 * <p>System properties set by the build: {@code world.root} (repository root, for the distribution cache),
 * {@code world.mvn} and {@code world.m2.repository} (how to fetch the server).
 */
public final class RealCassandra implements BeforeAllCallback {

    private static LocalCassandra server;

    @Override
    public void beforeAll(ExtensionContext context) {
        ensureStarted();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(RealCassandra.class, key ->
                (ExtensionContext.Store.CloseableResource) RealCassandra::stop);
    }

    /** host:port of the running test server. */
    public static synchronized String contactPoint() {
        return ensureStarted().settings().contactPoint();
    }

    /** The launcher's settings of the running test server (home, ports). */
    public static synchronized LocalCassandraSettings settings() {
        return ensureStarted().settings();
    }

    /**
     * Configuration that points the journal, snapshot store and driver at the test server, for an ActorSystem
     * under test. Fall back to it: {@code myConfig.withFallback(RealCassandra.config())}.
     */
    public static Config config() {
        return ConfigFactory.parseString("datastax-java-driver.basic.contact-points = [\"" + contactPoint() + "\"]\n"
                        + "world.persistence.schema.apply-on-start = off\n")
                .withFallback(ConfigFactory.load());
    }

    /** A plain driver session to the test server, for assertions on what was really written. Close it. */
    public static CqlSession newSession() {
        return CqlSession.builder()
                .withConfigLoader(DriverConfig.loaderFrom(config()))
                .build();
    }

    private static synchronized LocalCassandra ensureStarted() {
        if (server != null) {
            return server;
        }
        try {
            Path home = Path.of("target", "real-cassandra").toAbsolutePath();
            Path root = Path.of(System.getProperty("world.root", ".."))
                    .toAbsolutePath()
                    .normalize();
            int[] ports = FreePorts.allocate(2);
            LocalCassandraSettings settings = LocalCassandraSettings.builder(home, root.resolve(".cache"))
                    .nativePort(ports[0])
                    .storagePort(ports[1])
                    .durableWrites(false)
                    .maven(
                            System.getProperty("world.mvn", "mvn"),
                            optionalPath(System.getProperty("world.m2.repository")))
                    .build();
            new LocalCassandra(settings).stop();
            deleteRecursively(home);
            LocalCassandra started = new LocalCassandra(settings);
            started.start();
            Runtime.getRuntime().addShutdownHook(new Thread(RealCassandra::stop, "real-cassandra-stop"));
            server = started;
            applySchema();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the test Cassandra", e);
        }
    }

    private static void applySchema() {
        PersistenceSettings settings = PersistenceSettings.fromRootConfig(config());
        try (CqlSession session = newSession()) {
            CassandraSchema.load(settings).apply(session).toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not apply the schema to the test Cassandra", e.getCause());
        }
    }

    private static synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            server = null;
        }
    }

    private static Path optionalPath(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

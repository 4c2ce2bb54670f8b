package org.worldserver.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project-managed Cassandra launcher against a real Cassandra server process. */
class LocalCassandraIT {

    @TempDir
    Path home;

    private LocalCassandra cassandra;

    @BeforeEach
    void configure() throws IOException {
        Path root =
                Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();
        String repository = System.getProperty("world.m2.repository");
        LocalCassandraSettings settings = LocalCassandraSettings.defaults(home, root.resolve(".cache"))
                .withPorts(freePort(), freePort())
                .withMaven(System.getProperty("world.mvn", "mvn"), repository == null ? null : Path.of(repository));
        cassandra = new LocalCassandra(settings);
    }

    @AfterEach
    void stopLeftovers() throws IOException {
        cassandra.stop();
    }

    @Test
    void shouldStartServeCqlRefuseASecondStartAndStopCleanly() throws IOException {
        long pid = cassandra.start();

        assertEquals(new LocalCassandra.Status(LocalCassandra.State.RUNNING, pid), cassandra.status());
        try (CqlSession session = connect()) {
            String version = session.execute("SELECT release_version FROM system.local")
                    .one()
                    .getString(0);
            assertEquals(cassandra.settings().version(), version);
        }
        LocalCassandra.AlreadyRunningException second =
                assertThrows(LocalCassandra.AlreadyRunningException.class, cassandra::start);
        assertEquals(pid, second.pid());

        assertTrue(cassandra.stop());
        assertEquals(LocalCassandra.State.STOPPED, cassandra.status().state());
        assertFalse(Files.exists(home.resolve("cassandra.pid")));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server process still alive");
        assertFalse(cassandra.acceptsConnections());
    }

    @Test
    void shouldKeepDataAcrossAGracefulRestartAndAfterTheServerWasKilled() throws Exception {
        cassandra.start();
        try (CqlSession session = connect()) {
            session.execute(
                    "CREATE KEYSPACE restart_test WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE restart_test.notes (id int PRIMARY KEY, text text)");
            session.execute("INSERT INTO restart_test.notes (id, text) VALUES (1, 'before graceful stop')");
        }
        cassandra.stop();

        cassandra.start();
        try (CqlSession session = connect()) {
            assertEquals(
                    "before graceful stop",
                    session.execute("SELECT text FROM restart_test.notes WHERE id = 1")
                            .one()
                            .getString(0));
            session.execute("INSERT INTO restart_test.notes (id, text) VALUES (2, 'before kill -9')");
        }
        long killed = cassandra.status().pid();
        ProcessHandle handle = ProcessHandle.of(killed).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get(30, TimeUnit.SECONDS);

        assertEquals(new LocalCassandra.Status(LocalCassandra.State.STALE, killed), cassandra.status());
        long restarted = cassandra.start();
        assertNotEquals(killed, restarted);
        try (CqlSession session = connect()) {
            assertEquals(
                    "before graceful stop",
                    session.execute("SELECT text FROM restart_test.notes WHERE id = 1")
                            .one()
                            .getString(0));
            assertEquals(
                    "before kill -9",
                    session.execute("SELECT text FROM restart_test.notes WHERE id = 2")
                            .one()
                            .getString(0));
        }
    }

    @Test
    void shouldReplaceAStalePidFileThatNamesAnotherLiveProcess() throws IOException {
        long notCassandra = ProcessHandle.current().pid();
        Files.writeString(home.resolve("cassandra.pid"), Long.toString(notCassandra));

        assertEquals(new LocalCassandra.Status(LocalCassandra.State.STALE, notCassandra), cassandra.status());
        assertFalse(cassandra.stop(), "stop must not signal a process that is not this home's Cassandra");
        assertTrue(ProcessHandle.current().isAlive());

        Files.writeString(home.resolve("cassandra.pid"), "not a pid");
        assertEquals(LocalCassandra.State.STALE, cassandra.status().state());
        long pid = cassandra.start();
        assertEquals(new LocalCassandra.Status(LocalCassandra.State.RUNNING, pid), cassandra.status());
    }

    @Test
    void shouldRefuseToStartWhenItsPortIsTakenAndLeaveNoPidFile() throws IOException {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(
                    cassandra.settings().host(), cassandra.settings().nativePort()));
            IOException error = assertThrows(IOException.class, cassandra::start);
            assertTrue(
                    error.getMessage().contains(":" + cassandra.settings().nativePort() + " is already in use"),
                    error.getMessage());
        }
        assertEquals(LocalCassandra.State.STOPPED, cassandra.status().state());
    }

    private CqlSession connect() {
        return CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.fromString("datastax-java-driver.basic { contact-points = [\""
                        + cassandra.settings().contactPoint() + "\"]\n"
                        + " load-balancing-policy.local-datacenter = datacenter1\n request.timeout = 30s }"))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

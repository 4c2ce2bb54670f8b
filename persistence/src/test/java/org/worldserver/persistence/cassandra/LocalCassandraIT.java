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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.persistence.testkit.FreePorts;

/** The project-managed Cassandra launcher against a real Cassandra server process. */
class LocalCassandraIT {

    @TempDir
    Path home;

    private LocalCassandraSettings.Builder settings;
    private LocalCassandra cassandra;

    @BeforeEach
    void configure() throws IOException {
        Path root =
                Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();
        String repository = System.getProperty("world.m2.repository");
        int[] ports = FreePorts.allocate(2);
        settings = LocalCassandraSettings.builder(home, root.resolve(".cache"))
                .nativePort(ports[0])
                .storagePort(ports[1])
                .maven(System.getProperty("world.mvn", "mvn"), repository == null ? null : Path.of(repository));
        cassandra = new LocalCassandra(settings.build());
    }

    @AfterEach
    void stopLeftovers() throws IOException {
        cassandra.stop();
        assertEquals(List.of(), serverProcessesOf(home), "a Cassandra of this home is still running");
    }

    @Test
    void shouldReportAServerThatDiesDuringStartUpWithItsLog() {
        // An initial heap above the maximum: the server JVM refuses to start and exits at once.
        LocalCassandra doomed = new LocalCassandra(settings.maxHeap("16M").build());

        IOException error = assertThrows(IOException.class, doomed::start);

        assertTrue(error.getMessage().startsWith("Cassandra exited with code 1 during start-up"), error.getMessage());
        assertTrue(
                error.getMessage().contains("Initial heap size"), "the log tail explains why: " + error.getMessage());
        assertEquals(LocalCassandra.State.STOPPED, doomed.status().state());
    }

    @Test
    void shouldKillAServerThatIsNotReadyWithinTheStartTimeout() {
        LocalCassandra slow =
                new LocalCassandra(settings.startTimeout(Duration.ofMillis(500)).build());

        IOException error = assertThrows(IOException.class, slow::start);

        assertTrue(error.getMessage().contains("did not open its CQL port"), error.getMessage());
        assertEquals(LocalCassandra.State.STOPPED, slow.status().state());
        assertEquals(List.of(), serverProcessesOf(home), "the late server must have been killed");
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
            assertEquals("before graceful stop", note(session, 1));
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
            assertEquals("before graceful stop", note(session, 1));
            assertEquals("before kill -9", note(session, 2));
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

    /** Pids of live processes whose command line carries this home's launcher marker. */
    private static List<Long> serverProcessesOf(Path home) {
        String marker = "-Dworld.cassandra.home=" + home.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> {
                    try {
                        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"))
                                .contains(marker);
                    } catch (IOException gone) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    private static String note(CqlSession session, int id) {
        return session.execute("SELECT text FROM restart_test.notes WHERE id = ?", id)
                .one()
                .getString(0);
    }

    private CqlSession connect() {
        return CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.fromString("datastax-java-driver.basic { contact-points = [\""
                        + cassandra.settings().contactPoint() + "\"]\n"
                        + " load-balancing-policy.local-datacenter = datacenter1\n request.timeout = 30s }"))
                .build();
    }
}

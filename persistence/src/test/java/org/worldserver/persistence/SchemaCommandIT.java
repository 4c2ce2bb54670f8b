package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;

/** The operator's {@code bin/world schema apply} against a real Cassandra. */
@ExtendWith(RealCassandra.class)
class SchemaCommandIT {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Config config, String... args) {
        out.reset();
        err.reset();
        return SchemaCommand.run(
                args,
                config,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldCreateFreshKeyspacesAndBeIdempotent() {
        Config config = ConfigFactory.parseString("world.persistence.journal-keyspace = schema_cmd_journal\n"
                        + "world.persistence.snapshot-keyspace = schema_cmd_snapshot\n")
                .withFallback(RealCassandra.config())
                .resolve();

        assertEquals(0, run(config, "apply"), err.toString(StandardCharsets.UTF_8));
        assertTrue(
                out.toString(StandardCharsets.UTF_8).contains("applied 11 statements"),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(0, run(config, "apply"), "second apply: " + err.toString(StandardCharsets.UTF_8));

        try (CqlSession session = RealCassandra.newSession()) {
            Set<String> journalTables = session
                    .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'schema_cmd_journal'")
                    .all()
                    .stream()
                    .map(r -> r.getString(0))
                    .collect(Collectors.toSet());
            assertEquals(
                    Set.of(
                            "messages",
                            "tag_views",
                            "tag_write_progress",
                            "tag_scanning",
                            "metadata",
                            "all_persistence_ids",
                            "projection_offsets",
                            "asset_index"),
                    journalTables);
            assertEquals(
                    1,
                    session.execute(
                                    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'schema_cmd_snapshot'")
                            .all()
                            .size());
        }
    }

    @Test
    void shouldExitWith2WhenCassandraIsUnreachableAnd64OnBadInput() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Config unreachable = ConfigFactory.parseString(
                        "datastax-java-driver.basic.contact-points = [\"127.0.0.1:" + closedPort + "\"]")
                .withFallback(ConfigFactory.load());
        assertEquals(2, run(unreachable, "apply"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot reach Cassandra at 127.0.0.1:" + closedPort));

        assertEquals(
                64, run(unreachable, "apply", "--replication", "{'class': 'SimpleStrategy'}; DROP KEYSPACE world"));
        assertEquals(64, run(unreachable, "drop"));
    }
}

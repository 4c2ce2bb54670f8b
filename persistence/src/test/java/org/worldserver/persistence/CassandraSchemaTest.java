package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.junit.jupiter.api.Test;

class CassandraSchemaTest {

    private static final PersistenceSettings SETTINGS = new PersistenceSettings(
            "world",
            "world_snapshot",
            false,
            "{'class': 'SimpleStrategy', 'replication_factor': 1}",
            Duration.ofSeconds(60),
            Duration.ofSeconds(20));

    @Test
    void shouldSubstituteKeyspacesAndReplicationAndDropComments() {
        List<String> statements = CassandraSchema.load(SETTINGS).statements();

        assertEquals(11, statements.size());
        assertEquals(
                "CREATE KEYSPACE IF NOT EXISTS world\n  WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}",
                statements.get(0));
        statements.forEach(s -> {
            assertTrue(!s.contains("${") && !s.contains("--") && !s.endsWith(";"), s);
            assertTrue(
                    s.startsWith("CREATE KEYSPACE IF NOT EXISTS ") || s.startsWith("CREATE TABLE IF NOT EXISTS "), s);
        });
    }

    @Test
    void shouldRejectKeyspaceNamesAndReplicationThatAreNotPlainCql() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CassandraSchema.load(new PersistenceSettings(
                        "world; DROP KEYSPACE x",
                        "s",
                        false,
                        SETTINGS.replication(),
                        SETTINGS.ddlTimeout(),
                        SETTINGS.startupCheckTimeout())));
        assertThrows(
                IllegalArgumentException.class,
                () -> CassandraSchema.load(
                        SETTINGS.withReplication("{'class': 'SimpleStrategy'}; DROP KEYSPACE world")));
        assertThrows(IllegalArgumentException.class, () -> CassandraSchema.load(SETTINGS.withReplication("3")));
    }

    @Test
    void shouldRejectAnUnterminatedStatement() {
        assertThrows(IllegalStateException.class, () -> CassandraSchema.parse("CREATE TABLE x (a int PRIMARY KEY)\n"));
    }

    /**
     * The checked-in CQL must define the same tables, columns, keys and clustering order as the plugin's own DDL, so an upgrade of
     * pekko-persistence-cassandra that changes its tables fails here instead of at run time.
     */
    @Test
    void shouldDefineTheSameTablesAsThePersistencePluginExpects() {
        ActorTestKit kit = ActorTestKit.create("schema", ConfigFactory.load());
        try {
            KeyspaceAndTableStatements plugin = new KeyspaceAndTableStatements(
                    kit.system().classicSystem(),
                    "pekko.persistence.cassandra",
                    PluginSettings.apply(kit.system().classicSystem()));
            List<String> expected = new ArrayList<>(plugin.getCreateJournalTablesStatements());
            expected.addAll(plugin.getCreateSnapshotTablesStatements());

            Map<String, String> ours =
                    tableDefinitions(CassandraSchema.load(SETTINGS).statements());
            Map<String, String> theirs = tableDefinitions(expected);
            Map<String, String> pluginTables = new LinkedHashMap<>(ours);
            pluginTables.keySet().retainAll(theirs.keySet());
            assertEquals(theirs, pluginTables);
            // Beyond the plugin's tables, only the read side's own (cql/03-projections.cql).
            assertEquals(
                    Set.of("projection_offsets", "asset_index"),
                    ours.keySet().stream()
                            .filter(t -> !theirs.containsKey(t))
                            .map(t -> t.substring(t.indexOf('.') + 1))
                            .collect(Collectors.toSet()));
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static final Pattern TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS ([a-z_.]+)\\s*\\(");

    private static final Pattern CLUSTERING = Pattern.compile("CLUSTERING ORDER BY \\([^)]*\\)");

    /** table name → its columns, primary key and clustering order, whitespace removed. */
    private static Map<String, String> tableDefinitions(List<String> statements) {
        Map<String, String> tables = new LinkedHashMap<>();
        for (String statement : statements) {
            Matcher m = TABLE.matcher(statement);
            if (!m.find()) {
                continue;
            }
            int depth = 1;
            int i = m.end();
            while (depth > 0) {
                char c = statement.charAt(i++);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            String clustering = "";
            Matcher order = CLUSTERING.matcher(statement);
            if (order.find()) {
                clustering = " " + order.group().replaceAll("\\s+", "");
            }
            tables.put(m.group(1), statement.substring(m.end(), i - 1).replaceAll("\\s+", "") + clustering);
        }
        return tables;
    }
}

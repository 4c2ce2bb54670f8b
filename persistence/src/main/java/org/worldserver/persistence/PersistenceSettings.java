package org.worldserver.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code world.persistence} section of the configuration, read once.
 *
 * @param journalKeyspace keyspace of the event journal
 * @param snapshotKeyspace keyspace of the snapshot store
 * @param applySchemaOnStart whether a starting node applies the CQL schema itself (local profile only)
 * @param replication CQL replication map used when keyspaces are created
 * @param ddlTimeout time allowed for one DDL statement
 * @param startupCheckTimeout how long a starting node waits for Cassandra before failing
 */
public record PersistenceSettings(
        String journalKeyspace,
        String snapshotKeyspace,
        boolean applySchemaOnStart,
        String replication,
        Duration ddlTimeout,
        Duration startupCheckTimeout) {

    public static final String CONFIG_PATH = "world.persistence";

    public static PersistenceSettings fromRootConfig(Config root) {
        Config c = root.getConfig(CONFIG_PATH);
        return new PersistenceSettings(
                c.getString("journal-keyspace"),
                c.getString("snapshot-keyspace"),
                c.getBoolean("schema.apply-on-start"),
                c.getString("schema.replication"),
                c.getDuration("schema.ddl-timeout"),
                c.getDuration("startup-check-timeout"));
    }

    /** The same settings with another replication map, e.g. from the schema command's flag. */
    public PersistenceSettings withReplication(String newReplication) {
        return new PersistenceSettings(
                journalKeyspace, snapshotKeyspace, applySchemaOnStart, newReplication, ddlTimeout, startupCheckTimeout);
    }
}

package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The effective plugin settings this module's reference.conf is meant to produce (keys the plugin reads). */
class PersistenceConfigTest {

    private final Config config = ConfigFactory.load();

    @Test
    void shouldPointTheJournalAndSnapshotStoreAtTheWorldKeyspacesWithoutAutoCreation() {
        assertEquals("pekko.persistence.cassandra.journal", config.getString("pekko.persistence.journal.plugin"));
        assertEquals(
                "pekko.persistence.cassandra.snapshot", config.getString("pekko.persistence.snapshot-store.plugin"));
        assertEquals("world", config.getString("pekko.persistence.cassandra.journal.keyspace"));
        assertEquals("world_snapshot", config.getString("pekko.persistence.cassandra.snapshot.keyspace"));
        assertFalse(config.getBoolean("pekko.persistence.cassandra.journal.tables-autocreate"));
        assertFalse(config.getBoolean("pekko.persistence.cassandra.snapshot.keyspace-autocreate"));
    }

    @Test
    void shouldShortenTheEventsByTagConsistencyDelayWhereThePluginReadsIt() {
        assertEquals(
                Duration.ofSeconds(2),
                config.getDuration("pekko.persistence.cassandra.events-by-tag.eventual-consistency-delay"));
    }

    @Test
    void shouldBindTheMarkerToJacksonCbor() {
        assertEquals(
                "jackson-cbor",
                config.getConfig("pekko.actor.serialization-bindings")
                        .getString("\"org.worldserver.persistence.CborSerializable\""));
    }
}

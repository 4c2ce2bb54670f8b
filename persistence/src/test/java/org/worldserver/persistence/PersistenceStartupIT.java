package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;

/** A starting node's Cassandra step against the real Cassandra: missing schema refused, local profile creates it. */
@ExtendWith(RealCassandra.class)
class PersistenceStartupIT {

    private static Config withKeyspaces(String journal, String snapshot, boolean applyOnStart) {
        return ConfigFactory.parseString("world.persistence.journal-keyspace = " + journal + "\n"
                        + "world.persistence.snapshot-keyspace = " + snapshot + "\n"
                        + "world.persistence.schema.apply-on-start = " + applyOnStart + "\n")
                .withFallback(RealCassandra.config())
                .resolve();
    }

    @Test
    void shouldRefuseToStartOverAMissingSchemaAndNameWhatIsMissing() {
        ActorTestKit kit =
                ActorTestKit.create("startup-missing", withKeyspaces("absent_journal", "absent_snap", false));
        try {
            ExecutionException failure = assertThrows(
                    ExecutionException.class,
                    () -> PersistenceStartup.prepare(kit.system())
                            .toCompletableFuture()
                            .get(60, TimeUnit.SECONDS));
            CassandraSchema.SchemaException error =
                    assertInstanceOf(CassandraSchema.SchemaException.class, failure.getCause());
            assertTrue(error.getMessage().contains("absent_journal.messages"), error.getMessage());
            assertTrue(error.getMessage().contains("absent_snap.snapshots"), error.getMessage());
            assertTrue(error.getMessage().contains("bin/world schema apply"), error.getMessage());
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void shouldCreateTheSchemaInTheLocalProfileAndThenAcceptIt() throws Exception {
        ActorTestKit local = ActorTestKit.create("startup-local", withKeyspaces("local_journal", "local_snap", true));
        try {
            assertEquals(
                    RealCassandra.settings().version(),
                    PersistenceStartup.prepare(local.system())
                            .toCompletableFuture()
                            .get(120, TimeUnit.SECONDS));
        } finally {
            local.shutdownTestKit();
        }
        ActorTestKit production =
                ActorTestKit.create("startup-production", withKeyspaces("local_journal", "local_snap", false));
        try {
            PersistenceStartup.prepare(production.system())
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } finally {
            production.shutdownTestKit();
        }
    }
}

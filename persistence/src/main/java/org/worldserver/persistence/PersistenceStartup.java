package org.worldserver.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * What a node does with Cassandra before it accepts work: prove that the journal's session reaches Cassandra
 * (bounded by {@link PersistenceSettings#startupCheckTimeout()}, so a wrong address fails fast instead of
 * hanging), then apply the CQL schema (local profile) or check that it is there (everywhere else).
 *
 * <p>Uses the same session (config path {@value #PLUGIN_PATH}) as the journal and snapshot store, so a
 * success here means the journal can connect too. Non-blocking.
 */
public final class PersistenceStartup {

    static final String PLUGIN_PATH = "pekko.persistence.cassandra";

    private PersistenceStartup() {}

    /**
     * Checks connectivity, then applies the schema if {@code world.persistence.schema.apply-on-start} is on, or
     * else checks that every table of the schema exists (so a node never reports ready over a missing schema).
     *
     * @return the Cassandra release version of the node that answered; fails with {@link
     *     CassandraUnavailableException} when Cassandra cannot be reached in time, or with {@link
     *     CassandraSchema.SchemaException} when the schema cannot be applied or is incomplete
     */
    public static CompletionStage<String> prepare(ActorSystem<?> system) {
        PersistenceSettings settings =
                PersistenceSettings.fromRootConfig(system.settings().config());
        List<String> contactPoints =
                system.settings().config().getStringList("datastax-java-driver.basic.contact-points");
        CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN_PATH);

        CompletableFuture<String> version = session.underlying()
                .thenCompose(PersistenceStartup::releaseVersion)
                .toCompletableFuture()
                .orTimeout(settings.startupCheckTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, error) -> {
                    if (error != null) {
                        throw unavailable(contactPoints, settings, error);
                    }
                    return v;
                });
        CassandraSchema schema = CassandraSchema.load(settings);
        return version.thenCompose(v -> session.underlying()
                .thenCompose(cql -> settings.applySchemaOnStart() ? schema.apply(cql) : schema.verify(cql))
                .thenApply(done -> v));
    }

    private static CompletionStage<String> releaseVersion(CqlSession cql) {
        return cql.executeAsync(SimpleStatement.newInstance("SELECT release_version FROM system.local"))
                .thenApply(rs -> {
                    Row row = rs.one();
                    return row == null ? "unknown" : row.getString("release_version");
                });
    }

    private static CassandraUnavailableException unavailable(
            List<String> contactPoints, PersistenceSettings settings, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        String reason = cause instanceof TimeoutException
                ? "no answer within " + settings.startupCheckTimeout().toSeconds() + " s"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new CassandraUnavailableException(
                "Cannot reach Cassandra at "
                        + String.join(", ", contactPoints)
                        + " (datastax-java-driver.basic.contact-points): "
                        + reason
                        + ". Start the project's local Cassandra with `bin/world cassandra start`, or point the node at a"
                        + " running cluster with `--cassandra host:port`.",
                cause);
    }
}

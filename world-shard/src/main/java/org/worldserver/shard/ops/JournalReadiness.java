package org.worldserver.shard.ops;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.cassandra.healthcheck.CassandraHealthCheck;
import scala.jdk.javaapi.FutureConverters;

/**
 * The readiness check of the journal ({@code /ready}): not ready until this node has been through its schema step
 * ({@link #schemaReady}), then ready when the journal answers a query against Cassandra ({@link CassandraHealthCheck}).
 *
 * <p>Why the gate: the plugin's check starts the journal, and a journal started before its keyspace exists keeps
 * that failure for good in its events-by-tag statements (the asset index would never see an event). {@code bin/world}
 * polls {@code /ready} from the moment the HTTP API is up, which on a fresh Cassandra is before the schema.
 * Thread-safe.
 */
public final class JournalReadiness implements Supplier<CompletionStage<Boolean>> {

    private static final Map<ActorSystem, Boolean> READY = new ConcurrentHashMap<>();

    private final ActorSystem system;
    private CassandraHealthCheck journal; // made on first use after the schema step

    public JournalReadiness(ActorSystem system) {
        this.system = system;
    }

    /** Called by the node once its schema is applied or verified: the journal may be started from now on. */
    public static void schemaReady(ActorSystem system) {
        READY.put(system, true);
        system.registerOnTermination(() -> READY.remove(system));
    }

    @Override
    public synchronized CompletionStage<Boolean> get() {
        if (!READY.getOrDefault(system, false)) {
            return CompletableFuture.completedFuture(false);
        }
        if (journal == null) {
            journal = new CassandraHealthCheck(system);
        }
        return FutureConverters.asJava(journal.apply()).thenApply(ok -> (Boolean) ok);
    }
}

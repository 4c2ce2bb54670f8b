package org.worldserver.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintStream;
import java.util.concurrent.ExecutionException;

/**
 * Operator command that creates the world server's keyspaces and tables: {@code bin/world schema apply}.
 *
 * <pre>
 * schema apply [--replication MAP]   apply cql/*.cql to the Cassandra named by datastax-java-driver.basic.contact-points
 * schema print [--replication MAP]   print the statements that apply would run
 * </pre>
 *
 * Contact points and data centre come from the configuration (bin/world sets them from {@code --cassandra}).
 * Exit codes: 0 done, 1 a statement failed, 2 Cassandra unreachable, 64 usage.
 */
public final class SchemaCommand {

    private SchemaCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, ConfigFactory.load(), System.out, System.err));
    }

    static int run(String[] args, Config config, PrintStream out, PrintStream err) {
        if (args.length == 0 || !(args[0].equals("apply") || args[0].equals("print"))) {
            err.println(
                    "usage: schema apply|print [--replication \"{'class': 'SimpleStrategy', 'replication_factor': 1}\"]");
            return 64;
        }
        PersistenceSettings settings = PersistenceSettings.fromRootConfig(config);
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--replication") && i + 1 < args.length) {
                settings = settings.withReplication(args[++i]);
            } else {
                err.println("schema: unknown argument " + args[i]);
                return 64;
            }
        }
        CassandraSchema schema;
        try {
            schema = CassandraSchema.load(settings);
        } catch (IllegalArgumentException e) {
            err.println("schema: " + e.getMessage());
            return 64;
        }
        if (args[0].equals("print")) {
            schema.statements().forEach(s -> out.println(s + ";\n"));
            return 0;
        }
        String where = String.join(", ", config.getStringList("datastax-java-driver.basic.contact-points"));
        CqlSession session;
        try {
            session = CqlSession.builder()
                    .withConfigLoader(DriverConfig.loaderFrom(config))
                    .build();
        } catch (RuntimeException e) {
            err.println("schema: cannot reach Cassandra at " + where + ": " + e.getMessage());
            return 2;
        }
        try (session) {
            schema.apply(session).toCompletableFuture().get();
            out.println("schema: applied " + schema.statements().size() + " statements to " + where + " (keyspaces "
                    + settings.journalKeyspace() + ", " + settings.snapshotKeyspace() + ")");
            return 0;
        } catch (ExecutionException e) {
            err.println("schema: " + e.getCause().getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}

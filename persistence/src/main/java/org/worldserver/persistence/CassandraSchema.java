package org.worldserver.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The world server's Cassandra schema: the CQL files under {@code cql/} on the classpath, in file order, with
 * {@code ${journal_keyspace}}, {@code ${snapshot_keyspace}} and {@code ${replication}} substituted.
 *
 * <p>Every statement is {@code CREATE ... IF NOT EXISTS}, so applying the schema again is harmless. Statements
 * run one after another (schema changes must not race) and each is given {@link PersistenceSettings#ddlTimeout()}.
 * Thread-safe; {@link #apply} does not block.
 */
public final class CassandraSchema {

    /** The schema files, in the order they must be applied. */
    static final List<String> RESOURCES =
            List.of("cql/01-journal.cql", "cql/02-snapshot.cql", "cql/03-projections.cql");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
    private static final Pattern TABLE_NAME = Pattern.compile("^CREATE TABLE IF NOT EXISTS ([a-z0-9_]+\\.[a-z0-9_]+)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    private final List<String> statements;
    private final PersistenceSettings settings;

    private CassandraSchema(PersistenceSettings settings, List<String> statements) {
        this.settings = settings;
        this.statements = List.copyOf(statements);
    }

    /**
     * Loads the CQL files for these settings.
     *
     * @throws IllegalArgumentException if a keyspace name is not a plain lower-case CQL identifier
     */
    public static CassandraSchema load(PersistenceSettings settings) {
        requireIdentifier("journal keyspace", settings.journalKeyspace());
        requireIdentifier("snapshot keyspace", settings.snapshotKeyspace());
        String replication = settings.replication().strip();
        if (!replication.startsWith("{") || !replication.endsWith("}") || replication.contains(";")) {
            throw new IllegalArgumentException(
                    "replication must be a CQL map such as {'class': 'NetworkTopologyStrategy', 'dc1': 3}, got: "
                            + replication);
        }
        Map<String, String> values = Map.of(
                "journal_keyspace", settings.journalKeyspace(),
                "snapshot_keyspace", settings.snapshotKeyspace(),
                "replication", replication);
        List<String> statements = new ArrayList<>();
        for (String resource : RESOURCES) {
            statements.addAll(parse(substitute(readResource(resource), values, resource)));
        }
        return new CassandraSchema(settings, statements);
    }

    /**
     * Completes normally if every table the schema defines exists; otherwise fails with {@link SchemaException}
     * naming the missing ones. Used by nodes that do not create the schema themselves.
     */
    public CompletionStage<Void> verify(CqlSession session) {
        List<String> expected = new ArrayList<>();
        for (String statement : statements) {
            java.util.regex.Matcher m = TABLE_NAME.matcher(statement);
            if (m.find()) {
                expected.add(m.group(1));
            }
        }
        return session.executeAsync("SELECT keyspace_name, table_name FROM system_schema.tables")
                .thenCompose(this::collectTables)
                .thenAccept(existing -> {
                    List<String> missing =
                            expected.stream().filter(t -> !existing.contains(t)).toList();
                    if (!missing.isEmpty()) {
                        throw new SchemaException(
                                "The Cassandra schema is incomplete",
                                new IllegalStateException("missing tables " + String.join(", ", missing)
                                        + "; create them with `bin/world schema apply`"));
                    }
                });
    }

    private CompletionStage<java.util.Set<String>> collectTables(
            com.datastax.oss.driver.api.core.cql.AsyncResultSet page) {
        java.util.Set<String> tables = new java.util.HashSet<>();
        return collectTables(page, tables);
    }

    private CompletionStage<java.util.Set<String>> collectTables(
            com.datastax.oss.driver.api.core.cql.AsyncResultSet page, java.util.Set<String> tables) {
        for (com.datastax.oss.driver.api.core.cql.Row row : page.currentPage()) {
            tables.add(row.getString("keyspace_name") + "." + row.getString("table_name"));
        }
        if (page.hasMorePages()) {
            return page.fetchNextPage().thenCompose(next -> collectTables(next, tables));
        }
        return CompletableFuture.completedFuture(tables);
    }

    /** The statements, substituted, without comments, in the order {@link #apply} runs them. */
    public List<String> statements() {
        return statements;
    }

    /** Runs every statement in order on {@code session}; completes when the last one has been agreed on. */
    public CompletionStage<Void> apply(CqlSession session) {
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (String cql : statements) {
            SimpleStatement statement = SimpleStatement.newInstance(cql).setTimeout(settings.ddlTimeout());
            chain = chain.thenCompose(ignored -> session.executeAsync(statement).handle((result, error) -> {
                if (error != null) {
                    throw new SchemaException("Schema statement failed: " + firstLine(cql), error);
                }
                if (!result.getExecutionInfo().isSchemaInAgreement()) {
                    // The driver returns once its agreement wait times out; the next DDL could then race.
                    throw new SchemaException(
                            "Cassandra nodes did not agree on the schema after: " + firstLine(cql),
                            new IllegalStateException("schema agreement timed out (datastax-java-driver.advanced"
                                    + ".control-connection.schema-agreement.timeout); apply again"));
                }
                return null;
            }));
        }
        return chain;
    }

    /** A schema statement that Cassandra refused or did not answer in time. */
    public static final class SchemaException extends RuntimeException {
        SchemaException(String message, Throwable cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    private static void requireIdentifier(String what, String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name
                    + "' must be a lower-case CQL identifier ([a-z][a-z0-9_]*, at most 48 characters)");
        }
    }

    private static String readResource(String resource) {
        try (InputStream in = CassandraSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Schema resource " + resource + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String substitute(String text, Map<String, String> values, String resource) {
        return PLACEHOLDER.matcher(text).replaceAll(match -> {
            String value = values.get(match.group(1));
            if (value == null) {
                throw new IllegalStateException("Unknown placeholder " + match.group() + " in " + resource);
            }
            return java.util.regex.Matcher.quoteReplacement(value);
        });
    }

    /** Splits on ';' at the end of a line, dropping {@code --} comment lines and blank lines. */
    static List<String> parse(String text) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (current.length() > 0) {
                current.append('\n');
            }
            if (trimmed.endsWith(";")) {
                current.append(line, 0, line.lastIndexOf(';'));
                result.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(line);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException(
                    "Schema text ends with an unterminated statement: " + firstLine(current.toString()));
        }
        return result;
    }

    private static String firstLine(String cql) {
        String stripped = cql.strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline);
    }
}

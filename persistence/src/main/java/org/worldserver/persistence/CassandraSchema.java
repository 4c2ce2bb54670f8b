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
    static final List<String> RESOURCES = List.of("cql/01-journal.cql", "cql/02-snapshot.cql");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
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

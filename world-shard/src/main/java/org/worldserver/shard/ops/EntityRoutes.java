package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.worldserver.persistence.ClientIds;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * What the operator API's routes over event-sourced entities share: JSON request bodies, the checks on their
 * fields, and entity answers turned into HTTP ones. An entity refuses with {@code "<code>: <details>"}; the code
 * decides the status ({@link #statusOf}). Handlers run on the HTTP server's threads and only ask entities.
 */
public abstract class EntityRoutes extends AllDirectives {

    /** The request's body as JSON, or 400 {@code body-invalid} when it is not a JSON object. */
    protected Route body(Function<JsonNode, Route> handler) {
        return entity(Unmarshaller.entityToString(), text -> {
            JsonNode json = json(text);
            return json != null && json.isObject()
                    ? handler.apply(json)
                    : error(StatusCodes.BAD_REQUEST, "body-invalid", "expected a JSON object");
        });
    }

    /** An entity's answer: its value with {@code ok}, or its refusal with the status its code calls for. */
    protected <T> Route answer(CompletionStage<StatusReply<T>> reply, StatusCode ok) {
        return onSuccess(reply, r -> {
            if (r.isSuccess()) {
                return JsonReplies.json(ok, r.getValue());
            }
            String message = r.getError().getMessage();
            String code = Refusal.codeOf(message);
            return error(statusOf(code), code, message);
        });
    }

    /** The HTTP status of a refusal with {@code code} ({@link Refusal}). */
    static StatusCode statusOf(String code) {
        return switch (Refusal.of(code)) {
            case NOT_FOUND -> StatusCodes.NOT_FOUND;
            case FORBIDDEN -> StatusCodes.FORBIDDEN;
            case INVALID -> StatusCodes.BAD_REQUEST;
            case BUSY -> StatusCodes.SERVICE_UNAVAILABLE;
            case CONFLICT -> StatusCodes.CONFLICT;
        };
    }

    /** Whether every one of {@code fields} is a string that is an id a client may choose ({@link ClientIds}). */
    static boolean ids(JsonNode json, String... fields) {
        for (String f : fields) {
            if (!json.path(f).isTextual() || !ClientIds.valid(json.path(f).asText())) {
                return false;
            }
        }
        return true;
    }

    /** 400 {@code code} for a path id a client may not name (a derived id, such as a trade's hold). */
    static Route badPathId(String code, String id) {
        return error(StatusCodes.BAD_REQUEST, code, "not an id a client may name: " + id);
    }

    /** What {@code /verify} answers: the entity's hash chain as the journal holds it. */
    public record Verified(String id, boolean intact, long events, long firstBadSequence, String problem) {}

    /**
     * Reads entity {@code persistenceId}'s events back from the Cassandra journal and verifies their hash chain: 200
     * with the verdict, or 404 {@code unknownCode} when it has no events.
     */
    Route verify(ActorSystem<?> system, String persistenceId, String id, String unknownCode) {
        CompletionStage<List<Chained<?>>> events = EntityRoutes.<Chained<?>>eventsOf(system, persistenceId);
        return onSuccess(events, list -> {
            if (list.isEmpty()) {
                return error(StatusCodes.NOT_FOUND, unknownCode, "no " + persistenceId);
            }
            HashChain.Verdict verdict = HashChain.verify(list);
            return JsonReplies.json(new Verified(
                    id, verdict.intact(), verdict.events(), verdict.firstBadSequence(), verdict.problem()));
        });
    }

    /** The Cassandra read journal (the node has its schema by the time a request reaches a route). */
    static CassandraReadJournal journal(ActorSystem<?> system) {
        return PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    }

    /** Entity {@code persistenceId}'s events as the journal in Cassandra holds them, in order. */
    @SuppressWarnings("unchecked")
    static <E> CompletionStage<List<E>> eventsOf(ActorSystem<?> system, String persistenceId) {
        return journal(system)
                .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
                .map(e -> (E) e.event())
                .runWith(Sink.seq(), system);
    }

    /** Whether {@code field} is an integer that fits a long (an amount in micro-credits, a rate in basis points). */
    static boolean micros(JsonNode json, String field) {
        return json.path(field).isIntegralNumber() && json.path(field).canConvertToLong();
    }

    static Instant instant(JsonNode node) {
        try {
            return node.isTextual() ? Instant.parse(node.asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Duration duration(JsonNode node) {
        try {
            return node.isTextual() ? Duration.parse(node.asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static JsonNode json(String body) {
        try {
            return JsonReplies.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}

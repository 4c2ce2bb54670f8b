package org.worldserver.shard.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * JSON answers of the node's HTTP API: bodies with ISO-8601 instants, and errors as {@code {"error": code,
 * "message": text}} where the code is stable (clients match on it) and the message is for people. Thread-safe.
 */
public final class JsonReplies {

    /** An error answer: a stable code and a human message. */
    public record ErrorBody(String error, String message) {}

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReplies() {}

    /** The mapper the API reads and writes JSON with. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toJson(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 200 with {@code body} as JSON. */
    public static Route json(Object body) {
        return Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)));
    }

    /** {@code status} with {@code body} as JSON. */
    public static Route json(StatusCode status, Object body) {
        return Directives.complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)));
    }

    public static Route error(StatusCode status, String code, String message) {
        return json(status, new ErrorBody(code, message));
    }

    /**
     * Runs {@code inner}, answering a request whose ask of the world timed out (an entity or its journal did not
     * answer: the node is overloaded or Cassandra is slow) with 503 {@code world-busy} and {@code Retry-After: 1}
     * instead of Pekko HTTP's bare 500: the request may be tried again.
     */
    public static Route busyAnswered(Supplier<Route> inner) {
        return Directives.handleExceptions(BUSY, inner);
    }

    private static final ExceptionHandler BUSY = ExceptionHandler.newBuilder()
            .match(
                    TimeoutException.class,
                    e -> Directives.respondWithHeader(
                            RetryAfter.create(1L),
                            () -> error(
                                    StatusCodes.SERVICE_UNAVAILABLE,
                                    "world-busy",
                                    "the world did not answer in time; try again in a moment")))
            .build();
}

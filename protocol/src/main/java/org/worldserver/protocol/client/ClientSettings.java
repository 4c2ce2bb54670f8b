package org.worldserver.protocol.client;

import java.time.Duration;

/**
 * How a {@link WorldClient} reaches its server and paces itself.
 *
 * @param serverEndpoint the gateway's UDP endpoint, {@code "host:port"} (the node's default port is 40123)
 * @param replyControl the gateway's reply control endpoint, {@code "host:port"} (default port 40124): the client's
 *     reply subscription is a response channel naming it
 * @param termLength the term length of the client's request publication, as the gateway requires (it rejects any
 *     other): 65536
 * @param viewsKept snapshot views the client keeps for baselines; at least the server's {@code snapshot-views}
 * @param handshakeRetry how often a handshake step is repeated until it is answered (UDP loses datagrams)
 * @param handshakeTimeout how long a handshake may take before the client gives up ({@link WorldClient.State#DENIED}
 *     with no reason)
 * @param heartbeatInterval a heartbeat is sent when nothing else was sent for this long; the server echoes it
 * @param silenceTimeout connected, nothing heard from the server for this long: {@link WorldClient.State#LOST}
 * @param interpolationDelay how far behind the estimated server time entities are rendered ({@link
 *     WorldClient#renderTimeMicros}): about two snapshot intervals, so a sample on each side is usually there
 * @param requestRetry an unanswered request ({@link WorldClient#teleport}) is sent again this often, with its id
 * @param requestTimeout an unanswered request is given up after this long ({@code request-timed-out})
 * @param ackDelay how long an applied snapshot may wait for an input to carry its acknowledgement before an Ack of
 *     its own goes out: a client sending inputs at the tick rate acknowledges everything on its inputs
 */
public record ClientSettings(
        String serverEndpoint,
        String replyControl,
        int termLength,
        int viewsKept,
        Duration handshakeRetry,
        Duration handshakeTimeout,
        Duration heartbeatInterval,
        Duration silenceTimeout,
        Duration interpolationDelay,
        Duration requestRetry,
        Duration requestTimeout,
        Duration ackDelay) {

    public ClientSettings {
        requireHostPort(serverEndpoint, "serverEndpoint");
        requireHostPort(replyControl, "replyControl");
        if (termLength < 65536 || Integer.bitCount(termLength) != 1) {
            throw new IllegalArgumentException("termLength must be a power of two of at least 64 KiB: " + termLength);
        }
        if (viewsKept < 1) {
            throw new IllegalArgumentException("viewsKept must be positive: " + viewsKept);
        }
        requirePositive(handshakeRetry, "handshakeRetry");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(heartbeatInterval, "heartbeatInterval");
        requirePositive(silenceTimeout, "silenceTimeout");
        if (interpolationDelay == null || interpolationDelay.isNegative()) {
            throw new IllegalArgumentException("interpolationDelay must not be negative");
        }
        requirePositive(requestRetry, "requestRetry");
        requirePositive(requestTimeout, "requestTimeout");
        if (ackDelay == null || ackDelay.isNegative()) {
            throw new IllegalArgumentException("ackDelay must not be negative");
        }
    }

    /**
     * The defaults for a server at {@code serverHost}: ports 40123 and 40124, 64 KiB terms, 8 views, retries every
     * 100 ms for at most 5 s, a heartbeat after 1 s of quiet, lost after 3 s of silence, rendering 100 ms behind,
     * requests repeated every 250 ms and given up after 10 s (the server answers within its 5 s world timeout),
     * acknowledgements waiting up to 50 ms (a tick at 20 Hz) for an input to carry them.
     */
    public static ClientSettings defaults(String serverHost) {
        return defaults(serverHost + ":40123", serverHost + ":40124");
    }

    /** The defaults of {@link #defaults(String)} for a gateway at these endpoints (as {@code POST /sessions} names them). */
    public static ClientSettings defaults(String serverEndpoint, String replyControl) {
        return new ClientSettings(
                serverEndpoint,
                replyControl,
                65536,
                8,
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofSeconds(10),
                Duration.ofMillis(50));
    }

    private static void requireHostPort(String endpoint, String name) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            throw new IllegalArgumentException(name + " must be host:port, was " + endpoint);
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}

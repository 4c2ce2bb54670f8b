package org.worldserver.shard.gateway;

import org.worldserver.protocol.sbe.InputDecoder;

/**
 * One client's session on the gateway, after the handshake: who it is, where its datagrams must come from, and
 * the guards its traffic passes (replay window, input and request rate limits, idle timer), its recent requests'
 * answers, and its outbound {@link
 * SessionStream}. Owned by the gateway's receiver through {@link SessionTable}; not thread-safe.
 */
public final class GatewaySession {

    /** What to do with an Input. */
    public enum InputVerdict {
        /** Route it to the avatar's cell. */
        ROUTE,
        /** From another source than the session's (spoofed, or a client that moved: it must resume). */
        WRONG_SOURCE,
        /** A sequence number seen before or older than the replay window. */
        REPLAYED,
        /** Over the session's input rate. */
        RATE_LIMITED
    }

    /** Requests (teleports...) a session may send a second on average, and in a burst. */
    public static final int REQUESTS_PER_SECOND = 10;

    private final long sessionId;
    private final String avatarId;
    private long sourceKey;
    private final ReplayWindow replay = new ReplayWindow();
    private final InputRateLimit rateLimit;
    private final InputRateLimit requestLimit;
    private final RequestLedger requests = new RequestLedger();
    private final SessionHandoffs.State handoff = new SessionHandoffs.State();
    private long handedFrom;
    private SessionStream stream;
    private long tokenNonce;
    private int entityId = -1;
    private long lastHeardNanos;
    /** When this node last published the session (opened or resumed it): see {@link SessionHandoffs}. */
    private long publishedNanos;

    /**
     * @param sourceKey identifies where the session's datagrams come from (the Aeron image's correlation id)
     * @param inputsPerSecond the input rate allowed on average, with bursts of half a second's worth
     */
    public GatewaySession(long sessionId, String avatarId, long sourceKey, int inputsPerSecond, long nowNanos) {
        this.sessionId = sessionId;
        this.avatarId = avatarId;
        this.sourceKey = sourceKey;
        this.rateLimit = new InputRateLimit(inputsPerSecond, Math.max(1, inputsPerSecond / 2), nowNanos);
        this.requestLimit = new InputRateLimit(REQUESTS_PER_SECOND, REQUESTS_PER_SECOND, nowNanos);
        this.lastHeardNanos = nowNanos;
        this.publishedNanos = nowNanos;
    }

    public long sessionId() {
        return sessionId;
    }

    public String avatarId() {
        return avatarId;
    }

    /** The avatar's entity id in its region, once the world has placed it; -1 before. */
    public int entityId() {
        return entityId;
    }

    public void placed(int entity) {
        this.entityId = entity;
    }

    /** The nonce of the connect token that opened the session. */
    public long tokenNonce() {
        return tokenNonce;
    }

    public void openedWith(long nonce) {
        this.tokenNonce = nonce;
    }

    /** The session at another node's gateway this one was handed off from, or 0. */
    long handedFrom() {
        return handedFrom;
    }

    void handedFrom(long sessionId) {
        this.handedFrom = sessionId;
    }

    /** Where this session is in moving to another node's gateway ({@link SessionHandoffs}). */
    SessionHandoffs.State handoff() {
        return handoff;
    }

    /** Where the session's datagrams come from now. */
    public long sourceKey() {
        return sourceKey;
    }

    /** The client resumed from another address: only its datagrams count from now on. */
    public void rebind(long newSourceKey, long nowNanos) {
        this.sourceKey = newSourceKey;
        this.lastHeardNanos = nowNanos;
        this.publishedNanos = nowNanos;
    }

    /**
     * When this node last published the session: opened, or resumed (its gateway publishes it again); for a session
     * handed off here and not yet confirmed by its client, when it was accepted.
     */
    long publishedNanos() {
        return publishedNanos;
    }

    void published(long nowNanos) {
        this.publishedNanos = nowNanos;
    }

    /** The session's outbound stream, once it is open (null in tests of the guards alone). */
    public SessionStream stream() {
        return stream;
    }

    public void stream(SessionStream opened) {
        this.stream = opened;
    }

    /**
     * Judges an Input of this session that arrived from {@code fromSourceKey} at {@code nowNanos}, and takes the
     * acknowledgement it carries (protocol version 2) whatever becomes of the input itself: an old or surplus
     * input from the session's source still says truly what the client applied.
     */
    public InputVerdict onInput(InputDecoder input, long fromSourceKey, long nowNanos) {
        if (fromSourceKey != sourceKey) {
            return InputVerdict.WRONG_SOURCE;
        }
        lastHeardNanos = nowNanos;
        long acked = input.ackedTick(); // a version 1 Input has none: the null value
        if (acked != 0 && acked != InputDecoder.ackedTickNullValue() && stream != null) {
            stream.acknowledge((int) acked);
        }
        if (!replay.accept((int) input.sequence())) {
            return InputVerdict.REPLAYED;
        }
        if (!rateLimit.tryAcquire(nowNanos)) {
            return InputVerdict.RATE_LIMITED;
        }
        return InputVerdict.ROUTE;
    }

    /** A Heartbeat (or any valid datagram) from {@code fromSourceKey}; false (ignored) from any other source. */
    public boolean heard(long fromSourceKey, long nowNanos) {
        if (fromSourceKey != sourceKey) {
            return false;
        }
        lastHeardNanos = nowNanos;
        return true;
    }

    /** An Ack of snapshot {@code serverTick} from {@code fromSourceKey}; false (ignored) from any other source. */
    public boolean onAck(int serverTick, long fromSourceKey, long nowNanos) {
        if (!heard(fromSourceKey, nowNanos)) {
            return false;
        }
        if (stream != null) {
            stream.acknowledge(serverTick);
        }
        return true;
    }

    /** The session's recent requests and their answers. */
    RequestLedger requests() {
        return requests;
    }

    /** Whether one more request may be executed at {@code nowNanos} (at most {@link #REQUESTS_PER_SECOND}). */
    public boolean requestAllowed(long nowNanos) {
        return requestLimit.tryAcquire(nowNanos);
    }

    /** Heard from at all by {@code nowNanos} minus {@code idleNanos}? */
    public boolean idle(long nowNanos, long idleNanos) {
        return nowNanos - lastHeardNanos > idleNanos;
    }
}

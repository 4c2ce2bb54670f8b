package org.worldserver.shard.gateway;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * When a session moves to the gateway of the node that runs its avatar's cell. A session whose cell runs on
 * another node costs a hop between nodes each way: every input is relayed to that node and every snapshot's frame
 * relayed back (the hotspot profile put a third of a node's CPU in that remoting, docs/benchmarks.md). Once a
 * session's frames have come from the same other node for {@link Settings#afterNanos}, its gateway sends the client
 * a Redirect to that node's gateway with a fresh connect token; the client handshakes there naming its session,
 * the gateway there attaches the session to the avatar where it is (no logout, no new login), and publishes the
 * session (the sessions map of {@link SessionRelay}). Once this gateway sees the avatar's session published by
 * another node, it closes its own without logging the avatar out ({@link Step#HANDED_OFF}): whether this gateway
 * redirected it or not, a session published elsewhere after this one opened supersedes it (the client moved, or
 * went back to a gateway it had left: the one it talks to now is the one last published).
 *
 * <p>Bounded: a Redirect is repeated every {@link Settings#retryNanos} (UDP loses) until {@link Settings#timeoutNanos}
 * (longer than the SDK waits for the other gateway); then the session stays here ({@link Step#GAVE_UP}). The client
 * keeps its session here while it handshakes there (make before break). After either outcome, and after a session
 * arrives here, it is not redirected again for {@link Settings#minIntervalNanos} (an avatar walking along a border
 * between nodes does not bounce), unless its cell itself moved: the cell it was in as the wait began (or walked into
 * since without changing node), now on another node, is a shard that moved, not a crossing, and its sessions follow
 * it once the usual {@link Settings#afterNanos} have passed (waiting out the interval would relay every one of them
 * between nodes meanwhile, and then hand them off in a second wave). A gateway starts at most {@link
 * Settings#perSecond} handoffs a second (a crowd's shard moving does not turn into a burst of handshakes). So
 * sessions follow their shards, and the re-balancer's placement decides where their load runs.
 *
 * <p>Threading: the gateway's receiving thread only.
 */
public final class SessionHandoffs {

    /**
     * @param afterNanos how long a session's cell must have run on the same other node; 0 turns handoffs off
     * @param timeoutNanos how long a handoff may take before the session stays here
     * @param retryNanos how often the Redirect is repeated meanwhile
     * @param minIntervalNanos how long after a handoff (done or given up) or an arrival the session is not
     *     redirected again, unless its cell moved to another node
     * @param perSecond most handoffs this gateway starts per second
     */
    public record Settings(long afterNanos, long timeoutNanos, long retryNanos, long minIntervalNanos, int perSecond) {
        /** No handoffs. */
        public static final Settings OFF = new Settings(0, 1, 1, 0, 1);

        public Settings {
            if (afterNanos < 0 || timeoutNanos <= 0 || retryNanos <= 0 || minIntervalNanos < 0 || perSecond < 1) {
                throw new IllegalArgumentException("world.gateway.handoff: after and min-interval must not be "
                        + "negative, timeout and retry must be positive, per-second at least 1");
            }
        }

        public boolean enabled() {
            return afterNanos > 0;
        }
    }

    /**
     * Where a node's gateway listens, as clients reach it: its endpoint and its reply control ({@code host:port}
     * each), and which token key it accepts ({@link GatewaySettings#keyId}; null from a node that published none).
     */
    public record GatewayAddress(String endpoint, String replyControl, String keyId) {

        /** As published in the gateways map: the parts separated by spaces. */
        String text() {
            return endpoint + " " + replyControl + (keyId == null ? "" : " " + keyId);
        }

        /** The published text, or null when it is not two or three parts. */
        static GatewayAddress parse(String text) {
            String[] parts = text.split(" ", -1);
            for (String part : parts) {
                if (part.isEmpty()) {
                    return null;
                }
            }
            return switch (parts.length) {
                case 2 -> new GatewayAddress(parts[0], parts[1], null);
                case 3 -> new GatewayAddress(parts[0], parts[1], parts[2]);
                default -> null;
            };
        }
    }

    /** Where sessions and gateways are, as this node knows it (the relays' replicated maps). */
    interface Directory {
        /** The gateway of the node whose relay is {@code relay}, or null. */
        GatewayAddress gatewayOf(Object relay);

        /** The relay of the other node where {@code avatarId} has a session published, or null. */
        Object sessionElsewhere(String avatarId);
    }

    /** Signs a handoff token for {@code avatarId} bound to {@code nonce}, good at the gateway {@code to} only. */
    interface TokenIssuer {
        byte[] issue(String avatarId, long nonce, GatewayAddress to);
    }

    /**
     * How long after a session was published (opened or resumed) the sessions map is not taken to supersede it:
     * this node's own entry needs
     * that long to replace an older one in the copy this node reads (Distributed Data notifies every 0.5 s).
     */
    static final long SUPERSEDE_GRACE_NANOS = 2_000_000_000L;

    /** What the gateway does for a session now. */
    enum Step {
        NONE,
        /** Send (or repeat) the Redirect of {@link State}. */
        REDIRECT,
        /** Another node published the avatar's session: close it here without a logout. */
        HANDED_OFF,
        /** The handoff timed out: the session stays here. */
        GAVE_UP
    }

    /** One session's handoff state. */
    static final class State {
        private Object remoteRelay;
        private long remoteSinceNanos;
        private Object target;
        private GatewayAddress gateway;
        private long nonce;
        private byte[] token;
        private long deadlineNanos;
        private long nextSendNanos;
        private long notBeforeNanos;
        private boolean waited;
        /** The session's cell and its node's relay since the wait began: a later move of that cell, or a crossing. */
        private Object waitCell;

        private Object waitRelay;

        /** The gateway the session is being redirected to, or null. */
        GatewayAddress gateway() {
            return gateway;
        }

        long nonce() {
            return nonce;
        }

        byte[] token() {
            return token;
        }

        boolean handingOff() {
            return target != null;
        }
    }

    private final Settings settings;
    private final Directory directory;
    private final TokenIssuer tokens;
    private final LongSupplier nonces;
    private long windowStartNanos;
    private int startedInWindow;
    // Written on the gateway's thread, read by /metrics.
    private volatile long started;
    private volatile long handedOff;
    private volatile long gaveUp;
    private volatile long superseded;

    SessionHandoffs(Settings settings, Directory directory, TokenIssuer tokens, LongSupplier nonces) {
        this.settings = settings;
        this.directory = directory;
        this.tokens = tokens;
        this.nonces = nonces;
    }

    boolean enabled() {
        return settings.enabled();
    }

    /**
     * The step for a session of {@code avatarId}, published by this node at {@code publishedAtNanos} (opened or
     * resumed), whose latest frame came from {@code cell} (null before the first frame) through {@code cellRelay}
     * (the relay of the node its cell ran on when that is not this node; null when it is this node, or before the
     * first frame). Read {@code cell} before {@code cellRelay}: a stream writes them the other way round, so the
     * relay is never older than the cell.
     */
    Step step(State s, String avatarId, Object cell, Object cellRelay, long publishedAtNanos, long nowNanos) {
        if (nowNanos - publishedAtNanos >= SUPERSEDE_GRACE_NANOS && directory.sessionElsewhere(avatarId) != null) {
            if (s.target != null) {
                handedOff++;
            } else {
                superseded++;
            }
            end(s, nowNanos);
            return Step.HANDED_OFF;
        }
        if (s.target != null) {
            if (nowNanos - s.deadlineNanos >= 0) {
                end(s, nowNanos);
                gaveUp++;
                return Step.GAVE_UP;
            }
            if (nowNanos - s.nextSendNanos >= 0) {
                s.nextSendNanos = nowNanos + settings.retryNanos();
                return Step.REDIRECT;
            }
            return Step.NONE;
        }
        // The cell and its node since the wait began: first seen, then moved along while the node stays the same (a
        // crossing into a neighbour on the same node is no bounce; and a step in the middle of a crossing, which
        // may read the old cell with the new node's relay, is corrected by the next).
        if (s.waited && cell != null && (s.waitCell == null || Objects.equals(cellRelay, s.waitRelay))) {
            s.waitCell = cell;
            s.waitRelay = cellRelay;
        }
        if (!Objects.equals(cellRelay, s.remoteRelay)) {
            s.remoteRelay = cellRelay;
            s.remoteSinceNanos = nowNanos;
            return Step.NONE;
        }
        if (cellRelay == null
                || !settings.enabled()
                || nowNanos - s.remoteSinceNanos < settings.afterNanos()
                || (s.waited && nowNanos - s.notBeforeNanos < 0 && !cellMoved(s, cell, cellRelay))) {
            return Step.NONE;
        }
        GatewayAddress gateway = directory.gatewayOf(cellRelay);
        if (gateway == null || !withinRate(nowNanos)) {
            return Step.NONE;
        }
        s.target = cellRelay;
        s.gateway = gateway;
        s.nonce = nonces.getAsLong();
        s.token = tokens.issue(avatarId, s.nonce, gateway);
        s.deadlineNanos = nowNanos + settings.timeoutNanos();
        s.nextSendNanos = nowNanos + settings.retryNanos();
        started++;
        return Step.REDIRECT;
    }

    /**
     * A session handed off to this gateway has arrived (its client confirmed it): not redirected again for the
     * minimum interval either, so it does not bounce straight back (unless its cell moves to another node).
     */
    void arrived(State s, long nowNanos) {
        holdOff(s, nowNanos);
    }

    private void end(State s, long nowNanos) {
        s.target = null;
        s.gateway = null;
        s.token = null;
        s.remoteRelay = null;
        holdOff(s, nowNanos);
    }

    /** Not redirected again for the minimum interval (unless its cell moves). */
    private void holdOff(State s, long nowNanos) {
        s.waited = true;
        s.notBeforeNanos = nowNanos + settings.minIntervalNanos();
        s.waitCell = null;
        s.waitRelay = null;
    }

    /**
     * The session's cell is the one it was in when the wait began (or walked into since on the same node), and runs
     * on another node now.
     */
    private static boolean cellMoved(State s, Object cell, Object cellRelay) {
        return s.waitCell != null && s.waitCell.equals(cell) && !Objects.equals(s.waitRelay, cellRelay);
    }

    private boolean withinRate(long nowNanos) {
        if (nowNanos - windowStartNanos >= 1_000_000_000L) {
            windowStartNanos = nowNanos;
            startedInWindow = 0;
        }
        if (startedInWindow >= settings.perSecond()) {
            return false;
        }
        startedInWindow++;
        return true;
    }

    /** Handoffs started (Redirects first sent). */
    long started() {
        return started;
    }

    /** Handoffs done: the session continues at the other node's gateway. */
    long handedOff() {
        return handedOff;
    }

    /** Handoffs that timed out: the session stayed here. */
    long gaveUp() {
        return gaveUp;
    }

    /** Sessions closed because another node published the avatar's session, without a handoff from here. */
    long superseded() {
        return superseded;
    }
}

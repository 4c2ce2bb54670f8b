package org.worldserver.shard.gateway;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The gateway's open sessions by session id, at most {@code capacity} of them (the node's session budget: see
 * docs/design/gateway.md for the memory each costs). Not thread-safe: the gateway's receiver owns it.
 */
public final class SessionTable {

    private final int capacity;
    private final Long2ObjectHashMap<GatewaySession> byId = new Long2ObjectHashMap<>();

    public SessionTable(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** Adds a session; false when the table is full or the id is taken (the caller denies SERVER_FULL). */
    public boolean open(GatewaySession session) {
        if (byId.size() >= capacity || byId.containsKey(session.sessionId())) {
            return false;
        }
        byId.put(session.sessionId(), session);
        return true;
    }

    /** The session with this id, or null (unknown sessions' datagrams are dropped and counted). */
    public GatewaySession get(long sessionId) {
        return byId.get(sessionId);
    }

    public GatewaySession close(long sessionId) {
        return byId.remove(sessionId);
    }

    public int size() {
        return byId.size();
    }

    /** Closes every session and hands each to {@code closed} (the gateway is stopping). */
    public void closeAll(Consumer<GatewaySession> closed) {
        byId.values().forEach(closed);
        byId.clear();
    }

    /**
     * Visits every session once and closes those {@code close} is true for, handing each to {@code closed}.
     * {@code close} may act on the session it is given (the visit is the gateway's one pass over its sessions).
     */
    public void closeWhere(Predicate<GatewaySession> close, Consumer<GatewaySession> closed) {
        byId.values().removeIf(s -> {
            if (close.test(s)) {
                closed.accept(s);
                return true;
            }
            return false;
        });
    }
}

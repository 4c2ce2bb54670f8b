package org.worldserver.shard.gateway;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The nonces of the connect tokens a gateway has accepted, until the tokens expire: a second ConnectRequest with
 * a token already used (a replay, or a copy on another machine) is refused. Memory is bounded: when {@code
 * capacity} nonces of live tokens are held, new ones are refused (the gateway answers SERVER_FULL) rather than an
 * old one forgotten, which would let it be replayed. Tokens of one node share a lifetime, so expiry order is
 * arrival order. Not thread-safe: owned by the gateway's receiving thread.
 */
public final class TokenNonces {

    private record Used(long nonce, long expiresAtMillis) {}

    private final int capacity;
    private final Set<Long> live = new HashSet<>();
    private final ArrayDeque<Used> byExpiry = new ArrayDeque<>();

    public TokenNonces(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** The outcome of {@link #firstUse}. */
    public enum Use {
        FIRST,
        REPLAYED,
        FULL
    }

    /** Records the nonce of a verified token, unless it was used before or the registry is full. */
    public Use firstUse(long nonce, long expiresAtMillis, long nowMillis) {
        forgetExpired(nowMillis);
        if (live.contains(nonce)) {
            return Use.REPLAYED;
        }
        if (live.size() >= capacity) {
            return Use.FULL;
        }
        live.add(nonce);
        byExpiry.addLast(new Used(nonce, expiresAtMillis));
        return Use.FIRST;
    }

    /** Nonces held now. */
    public int size() {
        return live.size();
    }

    private void forgetExpired(long nowMillis) {
        // Nearly sorted by expiry (one lifetime for all tokens of a node): stop at the first live one.
        while (!byExpiry.isEmpty() && byExpiry.peekFirst().expiresAtMillis() <= nowMillis) {
            live.remove(byExpiry.removeFirst().nonce());
        }
    }
}

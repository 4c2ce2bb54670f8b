package org.worldserver.shard.ops;

/**
 * What kind of refusal an entity's stable code names, for the operator API (an HTTP status) and the client protocol
 * (a Response status) alike: unknown things, a caller who may not, malformed input, a world too busy to take it now,
 * and what the state of the ledger or the asset forbids.
 */
public enum Refusal {
    NOT_FOUND,
    FORBIDDEN,
    INVALID,
    BUSY,
    CONFLICT;

    /** The kind of refusal {@code code} names. */
    public static Refusal of(String code) {
        if (code.endsWith("-unknown") || code.equals("account-not-open")) {
            return NOT_FOUND;
        }
        if (code.equals("asset-not-owner") || code.equals("account-not-owner")) {
            return FORBIDDEN;
        }
        if (code.equals("world-busy")) {
            return BUSY;
        }
        if (code.endsWith("-invalid") || code.equals("amount-overflow") || code.equals("account-not-treasury")) {
            return INVALID;
        }
        return CONFLICT;
    }

    /** The code of an entity's refusal {@code "<code>: <details>"} ({@code world-error} when it has none). */
    public static String codeOf(String message) {
        return message.contains(":") ? message.substring(0, message.indexOf(':')) : "world-error";
    }
}

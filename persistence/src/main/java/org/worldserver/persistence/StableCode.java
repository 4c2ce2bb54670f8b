package org.worldserver.persistence;

/**
 * Why an entity refused a command, as a stable code clients and the operator API match on. The text that travels
 * in {@code StatusReply.error} is {@code "<code>: <details>"}.
 */
public interface StableCode {

    String code();

    /** The reply text: code, colon, details. */
    default String message(String details) {
        return code() + ": " + details;
    }
}

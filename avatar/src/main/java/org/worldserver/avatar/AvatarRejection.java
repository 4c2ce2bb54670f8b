package org.worldserver.avatar;

import org.worldserver.persistence.StableCode;

/**
 * Why an avatar command was refused. The {@link #code()} is stable (clients and the operator API match on
 * it); the message that travels in {@code StatusReply.error} is {@code "<code>: <details>"}.
 */
public enum AvatarRejection implements StableCode {
    NOT_REGISTERED("avatar-not-registered"),
    ALREADY_REGISTERED("avatar-already-registered"),
    INVALID_ID("avatar-invalid-id"),
    INVALID_DISPLAY_NAME("avatar-invalid-display-name"),
    INVALID_PUBLIC_KEY("avatar-invalid-public-key"),
    INVALID_REGION("avatar-invalid-region"),
    INVALID_POSITION("avatar-invalid-position"),
    ALREADY_ONLINE("avatar-already-online"),
    NOT_ONLINE("avatar-not-online"),
    WRONG_REGION("avatar-wrong-region");

    private final String code;

    AvatarRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

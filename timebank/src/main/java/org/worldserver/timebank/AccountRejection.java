package org.worldserver.timebank;

import org.worldserver.persistence.StableCode;

/**
 * Why an account command was refused. The {@link #code()} is stable (clients and the operator API match on it); the
 * message that travels in {@code StatusReply.error} is {@code "<code>: <details>"}. Nothing changed when a command
 * is refused.
 */
public enum AccountRejection implements StableCode {
    NOT_OPEN("account-not-open"),
    ALREADY_OPEN("account-exists"),
    INVALID("account-invalid"),
    AMOUNT_INVALID("amount-invalid"),
    AMOUNT_OVERFLOW("amount-overflow"),
    INSUFFICIENT_FUNDS("insufficient-funds"),
    FROZEN("account-frozen"),
    CLOSED("account-closed"),
    NOT_EMPTY("account-not-empty"),
    NOT_TREASURY("account-not-treasury"),
    CONFLICT("id-reused"),
    HOLD_UNKNOWN("hold-unknown"),
    HOLD_EXPIRED("hold-expired"),
    HOLD_CAPTURED("hold-captured"),
    HOLD_RELEASED("hold-released"),
    HOLD_PINNED("hold-pinned"),
    DEPOSIT_UNKNOWN("deposit-unknown");

    private final String code;

    AccountRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

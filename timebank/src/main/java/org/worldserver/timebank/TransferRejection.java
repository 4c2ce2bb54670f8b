package org.worldserver.timebank;

import org.worldserver.persistence.StableCode;

/**
 * Why a transfer command was refused before it started. The {@link #code()} is stable; the message in {@code
 * StatusReply.error} is {@code "<code>: <details>"}. (A transfer the accounts refuse is not refused: it is voided,
 * with the account's code as its reason.)
 */
public enum TransferRejection implements StableCode {
    UNKNOWN("transfer-unknown"),
    INVALID("transfer-invalid"),
    AMOUNT_INVALID("amount-invalid"),
    ID_REUSED("id-reused");

    private final String code;

    TransferRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

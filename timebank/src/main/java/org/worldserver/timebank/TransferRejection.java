package org.worldserver.timebank;

/**
 * Why a transfer command was refused before it started. The {@link #code()} is stable; the message in {@code
 * StatusReply.error} is {@code "<code>: <details>"}. (A transfer the accounts refuse is not refused: it is voided,
 * with the account's code as its reason.)
 */
public enum TransferRejection {
    UNKNOWN("transfer-unknown"),
    INVALID("transfer-invalid"),
    AMOUNT_INVALID("amount-invalid"),
    ID_REUSED("id-reused");

    private final String code;

    TransferRejection(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The reply text: code, colon, details. */
    public String message(String details) {
        return code + ": " + details;
    }
}

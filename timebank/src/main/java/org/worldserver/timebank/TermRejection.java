package org.worldserver.timebank;

import org.worldserver.persistence.StableCode;

/**
 * Why a time-deposit or loan command was refused. Stable codes; the message in {@code StatusReply.error} is {@code
 * "<code>: <details>"}. Refusals change nothing; refusals by an account or a transfer keep their own codes.
 */
public enum TermRejection implements StableCode {
    DEPOSIT_UNKNOWN("deposit-unknown"),
    DEPOSIT_INVALID("deposit-invalid"),
    DEPOSIT_NOT_ACTIVE("deposit-not-active"),
    LOAN_UNKNOWN("loan-unknown"),
    LOAN_INVALID("loan-invalid"),
    LOAN_NOT_ACTIVE("loan-not-active"),
    OVERPAYMENT("loan-overpayment"),
    AMOUNT_INVALID("amount-invalid"),
    AMOUNT_OVERFLOW("amount-overflow"),
    ID_REUSED("id-reused");

    private final String code;

    TermRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

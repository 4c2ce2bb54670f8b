package org.worldserver.asset;

import org.worldserver.persistence.StableCode;

/**
 * Why a trade was refused before it started (stable codes; {@code "<code>: <details>"}). A trade that started and
 * failed is not refused: it ends VOIDED with the refusing entity's own code as its reason.
 */
public enum TradeRejection implements StableCode {
    UNKNOWN("trade-unknown"),
    INVALID("trade-invalid"),
    ID_REUSED("id-reused");

    private final String code;

    TradeRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

package org.worldserver.asset;

import java.math.BigInteger;

/**
 * The operator's fee on a trade: {@code floor(price × bps / 10,000)} micro-credits out of the price, paid into the
 * operator treasury; the seller receives the rest. Below 10,000 bps, so a seller always receives something.
 *
 * @param treasury the operator treasury's account id
 * @param bps basis points of the price, 0 (no fee) to 9,999
 */
public record OperatorFee(String treasury, int bps) {

    public OperatorFee {
        if (treasury == null || treasury.isBlank()) {
            throw new IllegalArgumentException("the operator fee needs a treasury account");
        }
        if (bps < 0 || bps >= 10_000) {
            throw new IllegalArgumentException("the operator fee must be 0-9999 basis points, not " + bps);
        }
    }

    /** No fee. */
    public static OperatorFee none(String treasury) {
        return new OperatorFee(treasury, 0);
    }

    /** The fee on {@code price} micro-credits (exact: the product is taken without overflow), rounded down. */
    public long on(long price) {
        return BigInteger.valueOf(price)
                .multiply(BigInteger.valueOf(bps))
                .divide(BigInteger.valueOf(10_000))
                .longValueExact();
    }
}

package org.worldserver.timebank;

import java.math.BigInteger;
import java.time.Duration;

/**
 * The bank's interest arithmetic: integers only, exact intermediate products, and one rounding rule: every result is
 * rounded <b>down</b> to the micro-credit (the fraction is never paid, never owed). Rates are annual, in basis
 * points (1 bp = 0.01 %); a year is 365 days (31,536,000 s); terms count in whole seconds. Pure and thread-safe.
 *
 * <pre>
 * simple interest  = ⌊ principal × rateBps × termSeconds / (10,000 × 31,536,000) ⌋
 * fraction         = ⌊ amount × bps / 10,000 ⌋
 * </pre>
 */
public final class Interest {

    public static final long BASIS_POINTS = 10_000L;
    public static final long SECONDS_PER_YEAR = 365L * 24 * 3600;

    private static final BigInteger DIVISOR = BigInteger.valueOf(BASIS_POINTS * SECONDS_PER_YEAR);

    private Interest() {}

    /**
     * Simple interest on {@code principal} micro-credits over {@code term} at {@code annualRateBps}, rounded down.
     *
     * @throws IllegalArgumentException if an argument is negative
     * @throws ArithmeticException if the interest does not fit in a long
     */
    public static long simple(long principal, long annualRateBps, Duration term) {
        if (principal < 0 || annualRateBps < 0 || term.isNegative()) {
            throw new IllegalArgumentException("principal, rate and term must not be negative");
        }
        return BigInteger.valueOf(principal)
                .multiply(BigInteger.valueOf(annualRateBps))
                .multiply(BigInteger.valueOf(term.getSeconds()))
                .divide(DIVISOR)
                .longValueExact();
    }

    /** {@code bps} basis points of {@code amount}, rounded down (a fee or a penalty). */
    public static long fraction(long amount, long bps) {
        if (amount < 0 || bps < 0) {
            throw new IllegalArgumentException("amount and basis points must not be negative");
        }
        return BigInteger.valueOf(amount)
                .multiply(BigInteger.valueOf(bps))
                .divide(BigInteger.valueOf(BASIS_POINTS))
                .longValueExact();
    }
}

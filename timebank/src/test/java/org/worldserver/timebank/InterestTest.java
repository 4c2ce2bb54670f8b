package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The interest arithmetic against figures worked out by hand: exact products, always rounded down. */
class InterestTest {

    private static final long CREDIT = Account.MICROS_PER_CREDIT;

    @Test
    void shouldPaySimpleInterestRoundedDownToTheMicroCredit() {
        assertEquals(30_000, Interest.simple(CREDIT, 300, Duration.ofDays(365)), "3 % of a credit for a year");
        // 40 credits, 3 %, 30 days: 40,000,000 × 300 × 2,592,000 / 315,360,000,000 = 98,630.137 → 98,630
        assertEquals(98_630, Interest.simple(40 * CREDIT, 300, Duration.ofDays(30)));
        // 123.456789 credits, 2.75 %, 90 days = 837,138.6… → 837,138
        assertEquals(837_138, Interest.simple(123_456_789, 275, Duration.ofDays(90)));
        assertEquals(0, Interest.simple(1, 300, Duration.ofDays(1)), "a fraction of a micro-credit is not paid");
        assertEquals(0, Interest.simple(CREDIT, 0, Duration.ofDays(365)));
        assertEquals(
                Interest.simple(CREDIT, 300, Duration.ofSeconds(86_400)),
                Interest.simple(CREDIT, 300, Duration.ofMillis(86_400_999)),
                "terms count in whole seconds");
    }

    @Test
    void shouldBeExactWhereALongProductWouldOverflow() {
        // principal × rate × seconds is ~10^32 here; the result still fits.
        long max = Long.MAX_VALUE;
        assertEquals(max / 2, Interest.simple(max, 5_000, Duration.ofDays(365)), "50 % of the largest amount");
        assertThrows(ArithmeticException.class, () -> Interest.simple(max, 20_000, Duration.ofDays(365)));
        assertThrows(IllegalArgumentException.class, () -> Interest.simple(-1, 300, Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> Interest.simple(1, -300, Duration.ofDays(1)));
    }

    @Test
    void shouldTakeFractionsRoundedDown() {
        assertEquals(50_000, Interest.fraction(1_000_001, 500), "5 % of 1,000,001 = 50,000.05");
        assertEquals(0, Interest.fraction(19, 500));
        assertEquals(Long.MAX_VALUE, Interest.fraction(Long.MAX_VALUE, 10_000));
    }
}

package org.worldserver.persistence;

import java.time.Duration;
import java.time.Instant;

/**
 * How long an entity's timer should wait for a moment that may be far off (a maturity, a due time, the end of a
 * loan). Pekko timers are bounded (the scheduler's tick wheel), so a long wait is taken in steps of at most {@link
 * #LONGEST}: the entity checks the time when the timer fires and waits again if it is early. Pure.
 */
public final class TimerWaits {

    /** The longest single timer wait. */
    public static final Duration LONGEST = Duration.ofHours(12);

    private TimerWaits() {}

    /** From {@code now} until {@code at}: zero if it has passed, at most {@link #LONGEST}. */
    public static Duration until(Instant now, Instant at) {
        Duration left = Duration.between(now, at);
        return left.isNegative() ? Duration.ZERO : left.compareTo(LONGEST) > 0 ? LONGEST : left;
    }
}

package org.worldserver.shard.gateway;

/**
 * Accepts each sequence number of a session at most once, in any order within the last {@value #WINDOW}: a
 * replayed or duplicated datagram, or one older than the window, is refused. Sequence numbers are unsigned 32-bit
 * values that start above 0 and grow (a client sends about 20 a second: they wrap after 6.8 years). Not
 * thread-safe: owned by the session's receiving thread.
 */
public final class ReplayWindow {

    public static final int WINDOW = 64;

    /** The highest sequence accepted, 0 before any. */
    private long highest;
    /** Bit i set: {@code highest - i} was accepted. */
    private long seen;

    /** True (and remembered) if {@code sequence} (read as unsigned) is new and within the window. */
    public boolean accept(int sequence) {
        long s = Integer.toUnsignedLong(sequence);
        if (s == 0) {
            return false;
        }
        if (s > highest) {
            long shift = s - highest;
            seen = shift >= WINDOW ? 1L : (seen << shift) | 1L;
            highest = s;
            return true;
        }
        long age = highest - s;
        if (age >= WINDOW) {
            return false;
        }
        long bit = 1L << age;
        if ((seen & bit) != 0) {
            return false;
        }
        seen |= bit;
        return true;
    }

    /** The highest sequence accepted so far (unsigned), 0 before any. */
    public long highest() {
        return highest;
    }
}

package org.worldserver.protocol.client;

/**
 * The server's clock as seen from the client's: an offset such that {@code server ≈ client + offset}, from the
 * server times of the snapshots received and the client times they arrived at. Each arrival gives {@code
 * serverTime − arrivalTime}, which is the true offset minus that datagram's one-way delay; the largest of these is
 * the least delayed, so the estimate jumps up to any larger sample and sinks slowly (1/32 of the difference per
 * sample) towards smaller ones, which follows clock drift and route changes without following jitter. A sample a
 * second or more below the estimate means the server's clock changed (another node after a resume): the
 * estimate restarts from it. The estimate therefore lags the server's true time by about the smallest one-way
 * delay, which suits interpolation: it is the newest state the client could have. Units: microseconds.
 * Not thread-safe.
 */
public final class ServerClock {

    private static final long RESTART_BELOW_MICROS = 1_000_000;
    private static final int SINK_SHIFT = 5;

    private long offsetMicros;
    private boolean synced;

    /** A datagram stamped {@code serverTimeMicros} by the server arrived at {@code clientTimeMicros}. */
    public void observe(long serverTimeMicros, long clientTimeMicros) {
        long sample = serverTimeMicros - clientTimeMicros;
        if (!synced || sample > offsetMicros || offsetMicros - sample >= RESTART_BELOW_MICROS) {
            offsetMicros = sample;
            synced = true;
        } else {
            offsetMicros -= (offsetMicros - sample) >> SINK_SHIFT;
        }
    }

    /** Whether any datagram was observed (before, {@link #serverTimeMicros} is the client's time). */
    public boolean synced() {
        return synced;
    }

    /** The server time estimated for client time {@code clientTimeMicros}. */
    public long serverTimeMicros(long clientTimeMicros) {
        return clientTimeMicros + offsetMicros;
    }
}

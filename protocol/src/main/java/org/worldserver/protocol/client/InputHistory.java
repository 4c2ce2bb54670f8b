package org.worldserver.protocol.client;

/**
 * The client's newest inputs, by sequence number, for prediction: after a snapshot says which input the server
 * applied last, the inputs after it are the ones to replay on top of the server's state. A ring of the last
 * {@code capacity} inputs; sequences are recorded consecutively. The values kept are the ones the server
 * receives (quantised and read back, see {@link org.worldserver.protocol.Quantization}), so a replay computes what
 * the server will. Allocation-free. Not thread-safe.
 */
public final class InputHistory {

    /** Receives one input: its sequence, the client time it was sent at (µs), intent and focus as the server reads them. */
    @FunctionalInterface
    public interface Visitor {
        void input(int sequence, long clientTimeMicros, float intentX, float intentZ, float focusX, float focusZ);
    }

    private final long[] clientTimeMicros;
    private final float[] intentX;
    private final float[] intentZ;
    private final float[] focusX;
    private final float[] focusZ;
    private int newest;
    private int count;

    public InputHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        clientTimeMicros = new long[capacity];
        intentX = new float[capacity];
        intentZ = new float[capacity];
        focusX = new float[capacity];
        focusZ = new float[capacity];
    }

    /**
     * Records input {@code sequence}, the one after the last recorded (the first may be any), evicting the oldest
     * when full.
     */
    public void record(int sequence, long timeMicros, float ix, float iz, float fx, float fz) {
        if (count > 0 && sequence != newest + 1) {
            throw new IllegalArgumentException("input " + sequence + " does not follow " + newest);
        }
        newest = sequence;
        count = Math.min(count + 1, clientTimeMicros.length);
        int slot = slot(sequence);
        clientTimeMicros[slot] = timeMicros;
        intentX[slot] = ix;
        intentZ[slot] = iz;
        focusX[slot] = fx;
        focusZ[slot] = fz;
    }

    /**
     * Visits, oldest first, the inputs held with a sequence after {@code appliedSequence} (sequences compare
     * modulo 2³², as on the wire).
     *
     * @return how many were visited
     */
    public int forEachAfter(int appliedSequence, Visitor visitor) {
        int pending = countAfter(appliedSequence);
        for (int sequence = newest - pending + 1; sequence - newest <= 0; sequence++) {
            int slot = slot(sequence);
            visitor.input(sequence, clientTimeMicros[slot], intentX[slot], intentZ[slot], focusX[slot], focusZ[slot]);
        }
        return pending;
    }

    /** How many inputs held have a sequence after {@code appliedSequence}. */
    public int countAfter(int appliedSequence) {
        return count == 0 ? 0 : Math.max(0, Math.min(newest - appliedSequence, count));
    }

    private int slot(int sequence) {
        return Integer.remainderUnsigned(sequence, clientTimeMicros.length);
    }
}

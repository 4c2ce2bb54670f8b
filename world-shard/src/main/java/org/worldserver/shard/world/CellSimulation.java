package org.worldserver.shard.world;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.agrona.collections.Object2IntHashMap;

/**
 * The live simulation of the avatars in one cell (or group of cells): inputs between ticks, then at each tick
 * movement, the area-of-interest grid, and for every observer the interest decision, handed to an {@link
 * ObserverSink}. The cell's actor owns one and calls it from its own thread only.
 *
 * <pre>
 * between ticks:  join / leave / teleport / input(seq, intent, focus)   (input: newest sequence wins)
 * tick():         1. move every avatar by its intent for dt (MovementRules), update the grid
 *                 2. for every observer: AOI query → InterestManager.plan → departed → ObserverSink.onFrame
 *                    attention-seconds[j] += a_j · dt for every candidate j
 *                 3. telemetry: tick duration, dilation
 * </pre>
 *
 * <b>Time dilation.</b> Each tick advances simulation time by the nominal {@code 1 / tickHz}. If ticks arrive
 * further apart than that (the cell is overloaded and its actor runs them late), simulation time runs slower
 * than wall time instead of the cell trying to catch up with a burst of ticks; {@link #dilation()} reports the
 * ratio (exponentially smoothed), 1.0 when on time.
 *
 * <p>No allocation per tick or per entity once avatars have joined (an observer's interest map grows to its
 * working size once). Not thread-safe.
 */
public final class CellSimulation {

    /** Ticks over which duration percentiles are reported. */
    public static final int TICK_WINDOW = 256;

    private static final double DILATION_SMOOTHING = 0.1;

    /** Result of an input. */
    public enum InputResult {
        ACCEPTED,
        /** Its sequence number is not newer than the last accepted one (duplicate, reordered or replayed). */
        STALE,
        /** Intent or focus is not a finite vector. */
        MALFORMED,
        UNKNOWN_AVATAR
    }

    /** Result of a join. */
    public enum JoinResult {
        JOINED,
        ALREADY_HERE,
        OUT_OF_BOUNDS,
        FULL
    }

    private final MovementRules rules;
    private final InterestManager interest;
    private final float aoiRadius;
    private final float dt;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final ObserverSink sink;

    private final AvatarTable table;
    private final SpatialGrid grid;
    private final Object2IntHashMap<String> slotOf;
    private final ObserverInterest[] interestOf;
    private final float[] intentX;
    private final float[] intentZ;
    private final int[] lastInput;
    private final double[] attentionSeconds;
    private final Map<String, Double> attentionOfDeparted = new HashMap<>();

    private final int[] candidates;
    private final float[] weights;
    private final int[] selected;
    private final int[] departed;
    private final ObserverFrame frame = new ObserverFrame();

    private final long[] tickNanos = new long[TICK_WINDOW];
    private long ticks;
    private long lastTickStart;
    private double dilation = 1.0;
    private long inputsAccepted;
    private long inputsRejected;

    /**
     * @param capacity most avatars this cell holds
     * @param maxCandidates most entities one observer considers per tick (the rest of a dense crowd is skipped)
     * @param nanoClock monotonic time in ns ({@code System::nanoTime} in production)
     */
    public CellSimulation(
            MovementRules rules,
            InterestSettings interestSettings,
            float tickHz,
            int capacity,
            int maxCandidates,
            LongSupplier nanoClock,
            ObserverSink sink) {
        if (!(tickHz > 0) || capacity <= 0 || maxCandidates <= 0) {
            throw new IllegalArgumentException("tick rate, capacity and candidate limit must be positive");
        }
        this.rules = rules;
        this.interest = new InterestManager(interestSettings, tickHz, maxCandidates);
        this.aoiRadius = interestSettings.aoiRadius();
        this.dt = 1f / tickHz;
        this.periodNanos = (long) (1e9 / tickHz);
        this.nanoClock = nanoClock;
        this.sink = sink;
        RegionBounds b = rules.bounds();
        this.table = new AvatarTable(capacity);
        this.grid = new SpatialGrid(b.minX(), b.minZ(), b.width(), b.depth(), aoiRadius, capacity);
        this.slotOf = new Object2IntHashMap<>(capacity * 2, 0.65f, AvatarTable.NONE);
        this.interestOf = new ObserverInterest[capacity];
        this.intentX = new float[capacity];
        this.intentZ = new float[capacity];
        this.lastInput = new int[capacity];
        this.attentionSeconds = new double[capacity];
        // +1: the observer itself comes back from the grid query and is dropped.
        this.candidates = new int[maxCandidates + 1];
        this.weights = new float[maxCandidates + 1];
        this.selected = new int[maxCandidates + 1];
        this.departed = new int[maxCandidates + 1];
        frame.table = table;
        frame.updates = selected;
        frame.departed = departed;
    }

    /** Read-only view for tests and the gateway's encoder: do not write. */
    public AvatarTable table() {
        return table;
    }

    public int avatarCount() {
        return table.size();
    }

    /** Slot of {@code avatarId}, or {@link AvatarTable#NONE}. */
    public int slotOf(String avatarId) {
        return slotOf.getValue(avatarId);
    }

    /** Adds an avatar at rest at (x, y, z) with the region-unique {@code entityId}. */
    public JoinResult join(String avatarId, int entityId, float x, float y, float z) {
        if (slotOf.containsKey(avatarId)) {
            return JoinResult.ALREADY_HERE;
        }
        if (!rules.bounds().contains(x, y, z)) {
            return JoinResult.OUT_OF_BOUNDS;
        }
        int slot = table.add(avatarId, entityId, x, y, z);
        if (slot == AvatarTable.NONE) {
            return JoinResult.FULL;
        }
        slotOf.put(avatarId, slot);
        grid.insert(slot, x, z);
        intentX[slot] = 0;
        intentZ[slot] = 0;
        lastInput[slot] = -1;
        attentionSeconds[slot] = 0;
        if (interestOf[slot] == null) {
            interestOf[slot] = new ObserverInterest(candidates.length);
        }
        return JoinResult.JOINED;
    }

    /**
     * Removes an avatar (logout, handover to another cell). Its attention-seconds so far stay for the next
     * {@link #drainAttention}.
     *
     * @return false if it was not here
     */
    public boolean leave(String avatarId) {
        int slot = slotOf.removeKey(avatarId);
        if (slot == AvatarTable.NONE) {
            return false;
        }
        if (attentionSeconds[slot] > 0) {
            attentionOfDeparted.merge(avatarId, attentionSeconds[slot], Double::sum);
        }
        grid.remove(slot);
        interestOf[slot].clear();
        table.remove(slot);
        return true;
    }

    /**
     * Queues an input for the next tick: the intent (direction × fraction of max speed, length capped at 1) and
     * the focus direction replace the previous ones if {@code sequence} is newer than the last accepted input.
     */
    public InputResult input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {
        int slot = slotOf.getValue(avatarId);
        if (slot == AvatarTable.NONE) {
            inputsRejected++;
            return InputResult.UNKNOWN_AVATAR;
        }
        if (sequence <= lastInput[slot]) {
            inputsRejected++;
            return InputResult.STALE;
        }
        if (!MovementRules.isValidIntent(intentX, intentZ) || !MovementRules.isValidFocus(focusX, focusZ)) {
            inputsRejected++;
            return InputResult.MALFORMED;
        }
        this.intentX[slot] = intentX;
        this.intentZ[slot] = intentZ;
        float focusLength = (float) Math.sqrt(focusX * focusX + focusZ * focusZ);
        table.focusX[slot] = focusX / focusLength;
        table.focusZ[slot] = focusZ / focusLength;
        lastInput[slot] = sequence;
        inputsAccepted++;
        return InputResult.ACCEPTED;
    }

    /**
     * Moves an avatar instantly, if the region allows teleports and the destination is inside its bounds.
     *
     * @return null on success, else why not
     */
    public String teleport(String avatarId, float x, float y, float z) {
        int slot = slotOf.getValue(avatarId);
        if (slot == AvatarTable.NONE) {
            return "avatar " + avatarId + " is not in this cell";
        }
        String problem = rules.teleportProblem(x, y, z);
        if (problem != null) {
            return problem;
        }
        table.x[slot] = x;
        table.y[slot] = y;
        table.z[slot] = z;
        table.vx[slot] = 0;
        table.vz[slot] = 0;
        intentX[slot] = 0;
        intentZ[slot] = 0;
        grid.move(slot, x, z);
        return null;
    }

    /** Runs one tick. */
    public void tick() {
        long start = nanoClock.getAsLong();
        if (ticks > 0) {
            long interval = Math.max(1, start - lastTickStart);
            double onTime = Math.min(1.0, (double) periodNanos / interval);
            dilation += DILATION_SMOOTHING * (onTime - dilation);
        }
        lastTickStart = start;
        int tickNumber = (int) ++ticks;

        int live = table.size();
        for (int i = 0; i < live; i++) {
            int slot = table.liveSlot(i);
            rules.step(table, slot, intentX[slot], intentZ[slot], dt);
            grid.move(slot, table.x[slot], table.z[slot]);
        }

        frame.tick = ticks;
        frame.dilation = (float) dilation;
        for (int i = 0; i < live; i++) {
            int observer = table.liveSlot(i);
            int found = grid.queryRadius(table.x[observer], table.z[observer], aoiRadius, candidates);
            int count = 0;
            for (int k = 0; k < found; k++) {
                if (candidates[k] != observer) {
                    candidates[count++] = candidates[k];
                }
            }
            count = Math.min(count, candidates.length - 1);
            ObserverInterest known = interestOf[observer];
            int chosen = interest.plan(table, observer, candidates, count, known, tickNumber, weights, selected);
            for (int k = 0; k < count; k++) {
                attentionSeconds[candidates[k]] += weights[k] * dt;
            }
            frame.observerSlot = observer;
            frame.lastAppliedInput = lastInput[observer];
            frame.updateCount = chosen;
            frame.departedCount = known.forgetDeparted(tickNumber, departed);
            sink.onFrame(frame);
        }

        tickNanos[(int) (ticks % TICK_WINDOW)] = nanoClock.getAsLong() - start;
    }

    /** Ticks run so far. */
    public long ticks() {
        return ticks;
    }

    /** Simulation speed relative to wall time, (0, 1]. */
    public double dilation() {
        return dilation;
    }

    /**
     * Hands every avatar's accumulated attention-seconds (also of those who left since the last drain) to {@code
     * consumer} as (avatar id, seconds) and resets them. Allocates; call once per settlement period.
     */
    public void drainAttention(BiConsumer<String, Double> consumer) {
        for (int i = 0; i < table.size(); i++) {
            int slot = table.liveSlot(i);
            if (attentionSeconds[slot] > 0) {
                attentionOfDeparted.merge(table.avatarId[slot], attentionSeconds[slot], Double::sum);
                attentionSeconds[slot] = 0;
            }
        }
        attentionOfDeparted.forEach(consumer);
        attentionOfDeparted.clear();
    }

    /** Current numbers. Allocates; for the operator API and telemetry, not the tick. */
    public CellTelemetry telemetry() {
        int n = (int) Math.min(ticks, TICK_WINDOW);
        // Until the window has filled, only slots 1..ticks hold durations (slot = ticks % TICK_WINDOW).
        long[] window = n < TICK_WINDOW ? Arrays.copyOfRange(tickNanos, 1, n + 1) : tickNanos.clone();
        Arrays.sort(window);
        double mass = attentionOfDeparted.values().stream()
                .mapToDouble(Double::doubleValue)
                .sum();
        for (int i = 0; i < table.size(); i++) {
            mass += attentionSeconds[table.liveSlot(i)];
        }
        return new CellTelemetry(
                table.size(),
                ticks,
                inputsAccepted,
                inputsRejected,
                n == 0 ? 0 : window[(int) ((n - 1) * 0.5)] / 1000.0,
                n == 0 ? 0 : window[(int) ((n - 1) * 0.99)] / 1000.0,
                dilation,
                mass);
    }
}

package org.worldserver.shard.world;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Object2IntHashMap;

/**
 * The live simulation of the avatars in one cell: inputs between ticks, then at each tick movement, the
 * area-of-interest grid, and for every observer the interest decision, handed to an {@link ObserverSink}. The
 * cell's actor owns one and calls it from its own thread only.
 *
 * <pre>
 * between ticks:  join / admit (handover in) / leave / teleport / input(seq, intent, focus)  (newest seq wins)
 *                 ghosts: upsertGhost / dropGhostsFrom (neighbour cells' avatars near the border, read-only)
 * tick():         1. move every owned avatar by its intent for dt (MovementRules), update the grid; those now
 *                    outside this cell's {@link CellArea} are listed as exits (the actor hands them over)
 *                 2. for every owned observer: AOI query (owned and ghosts) → InterestManager.plan → departed
 *                    → ObserverSink.onFrame; attention-seconds[j] += a_j · dt for every candidate j
 *                 3. telemetry: tick duration, dilation
 * </pre>
 *
 * <b>Ghosts</b> are copies of avatars that neighbouring cells own, within an area-of-interest radius of the
 * border: observers here see them and pay them attention, but they do not move, observe or take input here.
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

    /** Result of a join or an admission. */
    public enum JoinResult {
        JOINED,
        ALREADY_HERE,
        OUT_OF_BOUNDS,
        /** Inside the region but not in this cell's area. */
        NOT_IN_CELL,
        FULL
    }

    private final MovementRules rules;
    private final CellArea area;
    private final int capacity;
    private final InterestManager interest;
    private final float aoiRadius;
    private final float dt;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final ObserverSink sink;

    private final AvatarTable table;
    private final SpatialGrid grid;
    private final Object2IntHashMap<String> slotOf;
    /** Entity id → slot, for owned avatars and ghosts alike: ghost updates find their slot without a string. */
    private final Int2IntHashMap slotOfEntity;

    private final ObserverInterest[] interestOf;
    private final float[] intentX;
    private final float[] intentZ;
    private final int[] lastInput;
    private final boolean[] ghost;
    private final int[] ghostSource;
    private final long[] ghostStamp;
    private int ownedCount;
    private int ghostCount;
    private final int[] exits;
    private int exitCount;
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
    /** Attention-seconds every observer here paid since the cell started: a counter, never drained. */
    private double attentionTotal;

    private long inputsAccepted;
    private long inputsRejected;

    /**
     * @param area the part of the region this cell owns
     * @param capacity most avatars this cell owns; as many ghosts again fit beside them
     * @param maxCandidates most entities one observer considers per tick (the rest of a dense crowd is skipped)
     * @param nanoClock monotonic time in ns ({@code System::nanoTime} in production)
     */
    public CellSimulation(
            MovementRules rules,
            CellArea area,
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
        this.area = area;
        this.capacity = capacity;
        this.interest = new InterestManager(interestSettings, tickHz, maxCandidates);
        this.aoiRadius = interestSettings.aoiRadius();
        this.dt = 1f / tickHz;
        this.periodNanos = (long) (1e9 / tickHz);
        this.nanoClock = nanoClock;
        this.sink = sink;
        int slots = capacity * 2;
        this.table = new AvatarTable(slots);
        // Over the cell's square and one radius around it, where its ghosts are; anything beyond lands in an edge
        // bucket and is still found. Buckets of half the radius: a query reads 5 row runs covering 6.25 R²
        // instead of 3 covering 9 R².
        RegionBounds square = area.square();
        this.grid = new SpatialGrid(
                square.minX() - aoiRadius,
                square.minZ() - aoiRadius,
                square.width() + 2 * aoiRadius,
                square.depth() + 2 * aoiRadius,
                aoiRadius / 2,
                slots);
        this.slotOf = new Object2IntHashMap<>(slots * 2, 0.65f, AvatarTable.NONE);
        this.slotOfEntity = new Int2IntHashMap(slots * 2, 0.65f, AvatarTable.NONE);
        this.interestOf = new ObserverInterest[slots];
        this.intentX = new float[slots];
        this.intentZ = new float[slots];
        this.lastInput = new int[slots];
        this.ghost = new boolean[slots];
        this.ghostSource = new int[slots];
        this.ghostStamp = new long[slots];
        this.exits = new int[slots];
        this.attentionSeconds = new double[slots];
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

    /** Avatars this cell owns (ghosts not counted). */
    public int avatarCount() {
        return ownedCount;
    }

    public int ghostCount() {
        return ghostCount;
    }

    /** Most avatars this cell owns at once. */
    public int capacity() {
        return capacity;
    }

    /** Slot of an avatar owned here, or {@link AvatarTable#NONE} (also for a ghost). */
    public int slotOf(String avatarId) {
        int slot = slotOf.getValue(avatarId);
        return slot != AvatarTable.NONE && ghost[slot] ? AvatarTable.NONE : slot;
    }

    /** Sequence number of the last input applied to the avatar owned in {@code slot}, -1 if none. */
    public int lastInput(int slot) {
        return lastInput[slot];
    }

    /** True if table slot {@code slot} holds a ghost, not an avatar owned here. */
    public boolean isGhost(int slot) {
        return ghost[slot];
    }

    /** Adds an avatar at rest at (x, y, z) with the region-unique {@code entityId}. */
    public JoinResult join(String avatarId, int entityId, float x, float y, float z) {
        return admit(new LiveAvatar(avatarId, entityId, x, y, z, 0, 0, 0, 1, 0, 0, -1));
    }

    /**
     * Takes ownership of an avatar with all its live state (a join, or a handover from another cell). A ghost of
     * the same avatar is replaced.
     */
    public JoinResult admit(LiveAvatar a) {
        int existing = slotOf.getValue(a.avatarId());
        if (existing != AvatarTable.NONE && !ghost[existing]) {
            return JoinResult.ALREADY_HERE;
        }
        if (!rules.bounds().contains(a.x(), a.y(), a.z())) {
            return JoinResult.OUT_OF_BOUNDS;
        }
        if (!area.owns(a.x(), a.z())) {
            return JoinResult.NOT_IN_CELL;
        }
        if (ownedCount >= capacity) {
            return JoinResult.FULL;
        }
        if (existing != AvatarTable.NONE) {
            removeSlot(existing);
        }
        int slot = table.add(a.avatarId(), a.entityId(), a.x(), a.y(), a.z());
        slotOf.put(a.avatarId(), slot);
        slotOfEntity.put(a.entityId(), slot);
        table.vx[slot] = a.vx();
        table.vz[slot] = a.vz();
        table.focusX[slot] = a.focusX();
        table.focusZ[slot] = a.focusZ();
        intentX[slot] = a.intentX();
        intentZ[slot] = a.intentZ();
        lastInput[slot] = a.lastInput();
        attentionSeconds[slot] = 0;
        ghost[slot] = false;
        ownedCount++;
        if (interestOf[slot] == null) {
            interestOf[slot] = new ObserverInterest();
        }
        return JoinResult.JOINED;
    }

    /** The live state of the owned avatar in {@code slot}, to hand over. Allocates. */
    public LiveAvatar export(int slot) {
        return new LiveAvatar(
                table.avatarId[slot],
                table.entityId[slot],
                table.x[slot],
                table.y[slot],
                table.z[slot],
                table.vx[slot],
                table.vz[slot],
                table.focusX[slot],
                table.focusZ[slot],
                intentX[slot],
                intentZ[slot],
                lastInput[slot]);
    }

    /**
     * Removes an avatar owned here (logout, handover to another cell). Its attention-seconds so far stay for the
     * next {@link #drainAttention}.
     *
     * @return false if it was not owned here
     */
    public boolean leave(String avatarId) {
        int slot = slotOf(avatarId);
        if (slot == AvatarTable.NONE) {
            return false;
        }
        removeSlot(slot);
        return true;
    }

    private void removeSlot(int slot) {
        String avatarId = table.avatarId[slot];
        slotOf.removeKey(avatarId);
        slotOfEntity.remove(table.entityId[slot]);
        if (attentionSeconds[slot] > 0) {
            attentionOfDeparted.merge(avatarId, attentionSeconds[slot], Double::sum);
        }
        if (ghost[slot]) {
            ghost[slot] = false;
            ghostCount--;
        } else {
            interestOf[slot].clear();
            ownedCount--;
        }
        table.remove(slot);
    }

    /**
     * Creates or updates the ghost of an avatar that neighbour {@code source} owns, as of that neighbour's
     * {@code stamp}. Ignored for an avatar owned here, and when the ghost slots are full.
     *
     * @param vx velocity east, m/s; {@code vz} north; {@code focusX, focusZ} unit focus direction
     */
    public void upsertGhost(
            String avatarId,
            int entityId,
            float x,
            float y,
            float z,
            float vx,
            float vz,
            float focusX,
            float focusZ,
            int source,
            long stamp) {
        int slot = slotOfEntity.get(entityId);
        if (slot != AvatarTable.NONE && !ghost[slot]) {
            return; // owned here
        }
        if (slot == AvatarTable.NONE) {
            int sameAvatar = slotOf.getValue(avatarId);
            if (sameAvatar != AvatarTable.NONE) {
                if (!ghost[sameAvatar]) {
                    return; // owned here
                }
                removeSlot(sameAvatar); // its ghost under an entity id from an earlier visit to the region
            }
            if (ghostCount >= capacity) {
                return;
            }
            slot = table.add(avatarId, entityId, x, y, z);
            slotOf.put(avatarId, slot);
            slotOfEntity.put(entityId, slot);
            ghost[slot] = true;
            ghostCount++;
            attentionSeconds[slot] = 0;
        } else {
            table.x[slot] = x;
            table.y[slot] = y;
            table.z[slot] = z;
        }
        table.vx[slot] = vx;
        table.vz[slot] = vz;
        table.focusX[slot] = focusX;
        table.focusZ[slot] = focusZ;
        ghostSource[slot] = source;
        ghostStamp[slot] = stamp;
    }

    /** Removes the ghosts from neighbour {@code source} that its update {@code stamp} did not list. */
    public void dropGhostsFrom(int source, long stamp) {
        for (int i = table.size() - 1; i >= 0; i--) {
            int slot = table.liveSlot(i);
            if (ghost[slot] && ghostSource[slot] == source && ghostStamp[slot] != stamp) {
                removeSlot(slot);
            }
        }
    }

    /** Avatars whose last tick took them out of this cell's area, to be handed over: slots, valid until changed. */
    public int exitCount() {
        return exitCount;
    }

    public int exitSlot(int i) {
        return exits[i];
    }

    /**
     * Queues an input for the next tick: the intent (direction × fraction of max speed, length capped at 1) and
     * the focus direction replace the previous ones if {@code sequence} is newer than the last accepted input.
     */
    public InputResult input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ) {
        int slot = slotOf(avatarId);
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
        int slot = slotOf(avatarId);
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
        exitCount = 0;
        for (int i = 0; i < live; i++) {
            int slot = table.liveSlot(i);
            if (ghost[slot]) {
                continue;
            }
            rules.step(table, slot, intentX[slot], intentZ[slot], dt);
            if (!area.owns(table.x[slot], table.z[slot])) {
                exits[exitCount++] = slot;
            }
        }

        grid.rebuild(table.liveSlots(), live, table.x, table.z);
        for (int i = 0; i < live; i++) {
            table.quantise(table.liveSlot(i)); // once per entity, for all the observers it is sent to
        }

        frame.tick = ticks;
        frame.dilation = (float) dilation;
        // Observers in grid order: consecutive ones share most candidates, which stay in cache.
        for (int i = 0; i < live; i++) {
            int observer = grid.slotAt(i);
            if (ghost[observer]) {
                continue;
            }
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
            double paid = 0;
            for (int k = 0; k < count; k++) {
                attentionSeconds[candidates[k]] += weights[k] * dt;
                paid += weights[k] * dt;
            }
            attentionTotal += paid;
            frame.observerSlot = observer;
            frame.lastAppliedInput = lastInput[observer];
            frame.updateCount = chosen;
            frame.departedCount = known.forgetDeparted(tickNumber, departed);
            sink.onFrame(frame);
        }
        sink.tickEnded();

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
                ownedCount,
                ghostCount,
                ticks,
                inputsAccepted,
                inputsRejected,
                n == 0 ? 0 : window[(int) ((n - 1) * 0.5)] / 1000.0,
                n == 0 ? 0 : window[(int) ((n - 1) * 0.99)] / 1000.0,
                dilation,
                mass,
                attentionTotal);
    }
}

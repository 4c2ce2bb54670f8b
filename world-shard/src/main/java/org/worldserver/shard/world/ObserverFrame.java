package org.worldserver.shard.world;

/**
 * One observer's output of one tick, as a flyweight over the cell's arrays: the entity updates chosen for it
 * (the highest priorities, in no particular order) with their current state, the entities that left its area of interest, and the last
 * input of its own that the tick applied (for client-side prediction).
 *
 * <p>Valid only during {@link ObserverSink#onFrame}; copy what must outlive the call. Not thread-safe.
 */
public final class ObserverFrame implements FrameView {

    AvatarTable table;
    int observerSlot;
    long tick;
    int lastAppliedInput;
    float dilation;
    int[] updates;
    int updateCount;
    int[] departed;
    int departedCount;

    ObserverFrame() {}

    public String observerAvatarId() {
        return table.avatarId[observerSlot];
    }

    @Override
    public int ownWireOffset() {
        return observerSlot * AvatarTable.WIRE_STRIDE;
    }

    /** The cell's tick counter. */
    public long tick() {
        return tick;
    }

    /** Sequence number of the observer's last input that has been applied, or -1 if none yet. */
    public int lastAppliedInput() {
        return lastAppliedInput;
    }

    /** Simulation speed relative to wall time, in (0, 1]; below 1 the cell is overloaded. */
    public float dilation() {
        return dilation;
    }

    public int updateCount() {
        return updateCount;
    }

    public int updateEntity(int i) {
        return table.entityId[updates[i]];
    }

    /** The avatar id of the i-th update's entity (for the entity's first appearance to an observer). */
    public String updateAvatarId(int i) {
        return table.avatarId[updates[i]];
    }

    /**
     * Where the i-th update's state as the wire carries it starts in {@link #wire()}: entity id, x, y, z (cm),
     * rotation, vx, vz (cm/s), computed this tick.
     */
    public int updateWireOffset(int i) {
        return updates[i] * AvatarTable.WIRE_STRIDE;
    }

    /** The cell's wire states ({@link AvatarTable#wire}); read only. */
    public int[] wire() {
        return table.wire;
    }

    /** Position east, metres. */
    public float updateX(int i) {
        return table.x[updates[i]];
    }

    /** Position up, metres. */
    public float updateY(int i) {
        return table.y[updates[i]];
    }

    /** Position north, metres. */
    public float updateZ(int i) {
        return table.z[updates[i]];
    }

    public int departedCount() {
        return departedCount;
    }

    /** Entity id of the i-th entity that left this observer's area of interest. */
    public int departedEntity(int i) {
        return departed[i];
    }
}

package org.worldserver.shard.world;

import java.util.Arrays;
import org.worldserver.protocol.Quantization;

/**
 * The live state of the avatars a cell simulates, as parallel arrays indexed by slot (structure of arrays):
 * the tick walks them without chasing pointers or allocating.
 *
 * <p>Units: positions in metres relative to the region's origin (x east, y up, z north); velocities in m/s;
 * focus is a unit vector on the ground plane. {@code entityId} is the avatar's compact id on the wire, unique in
 * its region and never reused while the region runs. Not thread-safe: owned by one cell.
 */
public final class AvatarTable {

    /** Marks "no slot" / "no entity". */
    public static final int NONE = -1;

    public final String[] avatarId;
    public final int[] entityId;
    public final float[] x;
    public final float[] y;
    public final float[] z;
    public final float[] vx;
    public final float[] vz;
    public final float[] focusX;
    public final float[] focusZ;
    /** Entity id this avatar is interacting with (talking to, trading with), or {@link #NONE}. */
    public final int[] interactingWith;

    /** Ints per slot in {@link #wire}: entity id, x, y, z, rotation, vx, vz, and one unused. */
    public static final int WIRE_STRIDE = 8;

    /**
     * Each slot's state as the wire carries it ({@link Quantization}: centimetres, a smallest-three rotation
     * facing the focus, cm/s), computed once per tick by the cell ({@link #quantise}) for every observer that is
     * sent the entity; side by side in 32 bytes, so reading one entity's update costs one cache line, not seven.
     */
    public final int[] wire;

    private final int[] freeSlots;
    private int freeCount;
    /** live[0..size) are the occupied slots, in no order; liveIndex[slot] is where slot sits in live. */
    private final int[] live;

    private final int[] liveIndex;
    private int size;

    public AvatarTable(int capacity) {
        avatarId = new String[capacity];
        entityId = new int[capacity];
        Arrays.fill(entityId, NONE);
        x = new float[capacity];
        y = new float[capacity];
        z = new float[capacity];
        vx = new float[capacity];
        vz = new float[capacity];
        focusX = new float[capacity];
        focusZ = new float[capacity];
        interactingWith = new int[capacity];
        wire = new int[capacity * WIRE_STRIDE];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        live = new int[capacity];
        liveIndex = new int[capacity];
        Arrays.fill(liveIndex, NONE);
    }

    public int capacity() {
        return entityId.length;
    }

    public int size() {
        return size;
    }

    /** The i-th occupied slot, for {@code 0 <= i < size()}; the order changes when avatars are removed. */
    public int liveSlot(int i) {
        return live[i];
    }

    /** The occupied slots in {@code [0, size())}, in no order: the table's own array, read only, valid until changed. */
    int[] liveSlots() {
        return live;
    }

    public boolean isLive(int slot) {
        return entityId[slot] != NONE;
    }

    /**
     * Takes a free slot for an avatar at rest at (x, y, z), facing +z.
     *
     * @return the slot, or {@link #NONE} if the table is full
     */
    public int add(String avatar, int entity, float px, float py, float pz) {
        if (freeCount == 0) {
            return NONE;
        }
        int slot = freeSlots[--freeCount];
        avatarId[slot] = avatar;
        entityId[slot] = entity;
        x[slot] = px;
        y[slot] = py;
        z[slot] = pz;
        vx[slot] = 0;
        vz[slot] = 0;
        focusX[slot] = 0;
        focusZ[slot] = 1;
        interactingWith[slot] = NONE;
        live[size] = slot;
        liveIndex[slot] = size;
        size++;
        return slot;
    }

    /** Computes {@link #wire} of {@code slot} from its state now. */
    public void quantise(int slot) {
        int o = slot * WIRE_STRIDE;
        wire[o] = entityId[slot];
        wire[o + 1] = Quantization.position(x[slot]);
        wire[o + 2] = Quantization.position(y[slot]);
        wire[o + 3] = Quantization.position(z[slot]);
        wire[o + 4] = Quantization.rotationFacing(focusX[slot], focusZ[slot]);
        wire[o + 5] = Quantization.velocity(vx[slot]);
        wire[o + 6] = Quantization.velocity(vz[slot]);
    }

    /** Frees {@code slot}; it must be live. */
    public void remove(int slot) {
        if (entityId[slot] == NONE) {
            throw new IllegalStateException("slot " + slot + " is not live");
        }
        avatarId[slot] = null;
        entityId[slot] = NONE;
        freeSlots[freeCount++] = slot;
        int index = liveIndex[slot];
        int last = live[--size];
        live[index] = last;
        liveIndex[last] = index;
        liveIndex[slot] = NONE;
    }
}

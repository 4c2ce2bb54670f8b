package org.worldserver.protocol;

import java.util.Arrays;

/**
 * A set of entity states in wire units ({@link Quantization}), sorted by entity id, as parallel arrays: what one
 * snapshot tells one client. Reused from tick to tick (no allocation once it has grown to its working size).
 * Not thread-safe.
 */
public final class EntityStates {

    int[] entityId;
    int[] x;
    int[] y;
    int[] z;
    int[] rotation;
    int[] vx;
    int[] vz;
    private int size;

    public EntityStates(int initialCapacity) {
        int n = Math.max(1, initialCapacity);
        entityId = new int[n];
        x = new int[n];
        y = new int[n];
        z = new int[n];
        rotation = new int[n];
        vx = new int[n];
        vz = new int[n];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /**
     * Appends a state; entity ids must be added in strictly increasing order.
     *
     * @throws IllegalArgumentException if {@code entityId} is not larger than the last one added
     */
    public void add(int id, int px, int py, int pz, int packedRotation, int velocityX, int velocityZ) {
        if (size > 0 && id <= entityId[size - 1]) {
            throw new IllegalArgumentException("entity ids must increase: " + id + " after " + entityId[size - 1]);
        }
        if (size == entityId.length) {
            grow(size * 2);
        }
        entityId[size] = id;
        x[size] = px;
        y[size] = py;
        z[size] = pz;
        rotation[size] = packedRotation;
        vx[size] = velocityX;
        vz[size] = velocityZ;
        size++;
    }

    /** Makes this a copy of {@code other}. */
    public void copyFrom(EntityStates other) {
        if (entityId.length < other.size) {
            grow(other.size);
        }
        System.arraycopy(other.entityId, 0, entityId, 0, other.size);
        System.arraycopy(other.x, 0, x, 0, other.size);
        System.arraycopy(other.y, 0, y, 0, other.size);
        System.arraycopy(other.z, 0, z, 0, other.size);
        System.arraycopy(other.rotation, 0, rotation, 0, other.size);
        System.arraycopy(other.vx, 0, vx, 0, other.size);
        System.arraycopy(other.vz, 0, vz, 0, other.size);
        size = other.size;
    }

    /** Index of {@code id}, or a negative number if absent (binary search). */
    public int indexOf(int id) {
        return Arrays.binarySearch(entityId, 0, size, id);
    }

    public int entityId(int i) {
        return entityId[i];
    }

    /** Centimetres east of the region's origin. */
    public int x(int i) {
        return x[i];
    }

    /** Centimetres up. */
    public int y(int i) {
        return y[i];
    }

    /** Centimetres north. */
    public int z(int i) {
        return z[i];
    }

    /** Smallest-three quaternion ({@link Quantization#quaternion}). */
    public int rotation(int i) {
        return rotation[i];
    }

    /** Centimetres per second east. */
    public int vx(int i) {
        return vx[i];
    }

    /** Centimetres per second north. */
    public int vz(int i) {
        return vz[i];
    }

    private void grow(int capacity) {
        entityId = Arrays.copyOf(entityId, capacity);
        x = Arrays.copyOf(x, capacity);
        y = Arrays.copyOf(y, capacity);
        z = Arrays.copyOf(z, capacity);
        rotation = Arrays.copyOf(rotation, capacity);
        vx = Arrays.copyOf(vx, capacity);
        vz = Arrays.copyOf(vz, capacity);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EntityStates other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (entityId[i] != other.entityId[i]
                    || x[i] != other.x[i]
                    || y[i] != other.y[i]
                    || z[i] != other.z[i]
                    || rotation[i] != other.rotation[i]
                    || vx[i] != other.vx[i]
                    || vz[i] != other.vz[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int i = 0; i < size; i++) {
            h = h * 31 + entityId[i];
            h = h * 31 + x[i] + 7 * z[i];
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("EntityStates[");
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ")
                    .append(entityId[i])
                    .append("@(")
                    .append(x[i])
                    .append(',')
                    .append(y[i])
                    .append(',')
                    .append(z[i])
                    .append(")");
        }
        return b.append(']').toString();
    }
}

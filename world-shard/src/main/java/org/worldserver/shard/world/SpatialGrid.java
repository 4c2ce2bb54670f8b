package org.worldserver.shard.world;

import java.util.Arrays;

/**
 * A uniform grid over a region's ground plane (x, z) for area-of-interest queries: which entities lie within a
 * radius of a point.
 *
 * <p>Rebuilt from scratch once per tick ({@link #rebuild}), after movement, by a counting sort of the entities
 * by bucket: afterwards each bucket's entities, with copies of their coordinates, lie next to each other in
 * memory, and the buckets of one grid row follow each other. A query therefore reads one contiguous run per row
 * of the circle's bounding square and checks the exact distance; it touches no per-entity memory elsewhere.
 * Rebuilding costs O(entities + buckets) and allocates nothing. Points outside the grid's bounds are kept in the
 * nearest edge bucket (they are still found by exact distance).
 *
 * <p>{@link #slotAt} lists the entities in grid order: neighbours in space are near each other in that order,
 * which the tick uses to visit observers so that consecutive observers share most of their candidates in cache.
 *
 * <p>Units: metres. Not thread-safe: owned by one cell and used on its tick.
 */
public final class SpatialGrid {

    private final float minX;
    private final float minZ;
    private final float inverseBucketSize;
    private final int columns;
    private final int rows;
    /** Entries of bucket b are [start[b], start[b + 1]). */
    private final int[] start;

    private final int[] sortedSlot;
    private final float[] sortedX;
    private final float[] sortedZ;
    private final int[] bucketOfInput;
    private int size;

    /**
     * @param minX west edge, metres
     * @param minZ south edge, metres
     * @param width extent along x, metres (> 0)
     * @param depth extent along z, metres (> 0)
     * @param bucketSize side of one bucket, metres; about half the typical query radius is a good choice
     * @param capacity the most entities one rebuild takes
     */
    public SpatialGrid(float minX, float minZ, float width, float depth, float bucketSize, int capacity) {
        if (!(width > 0 && depth > 0 && bucketSize > 0) || capacity <= 0) {
            throw new IllegalArgumentException("grid extents, bucket size and capacity must be positive");
        }
        this.minX = minX;
        this.minZ = minZ;
        this.inverseBucketSize = 1f / bucketSize;
        this.columns = Math.max(1, (int) Math.ceil(width / bucketSize));
        this.rows = Math.max(1, (int) Math.ceil(depth / bucketSize));
        if ((long) columns * rows > 1 << 24) {
            throw new IllegalArgumentException("more than 2^24 buckets: choose a larger bucket size");
        }
        this.start = new int[columns * rows + 1];
        this.sortedSlot = new int[capacity];
        this.sortedX = new float[capacity];
        this.sortedZ = new float[capacity];
        this.bucketOfInput = new int[capacity];
    }

    public int capacity() {
        return sortedSlot.length;
    }

    /** Entities in the grid since the last rebuild. */
    public int size() {
        return size;
    }

    /** The i-th entity in grid order, for {@code 0 <= i < size()}. */
    public int slotAt(int i) {
        return sortedSlot[i];
    }

    /**
     * Replaces the grid's content with the entities {@code slots[0..count)} at ({@code xs[slot]}, {@code
     * zs[slot]}).
     *
     * @throws IllegalArgumentException if {@code count} exceeds the capacity
     */
    public void rebuild(int[] slots, int count, float[] xs, float[] zs) {
        if (count > sortedSlot.length) {
            throw new IllegalArgumentException(count + " entities, capacity " + sortedSlot.length);
        }
        Arrays.fill(start, 0);
        for (int i = 0; i < count; i++) {
            int s = slots[i];
            int b = bucket(xs[s], zs[s]);
            bucketOfInput[i] = b;
            start[b + 1]++;
        }
        for (int b = 0; b < columns * rows; b++) {
            start[b + 1] += start[b];
        }
        // Place each entity at its bucket's next free position, using start[b] as the cursor; then shift back.
        for (int i = 0; i < count; i++) {
            int s = slots[i];
            int at = start[bucketOfInput[i]]++;
            sortedSlot[at] = s;
            sortedX[at] = xs[s];
            sortedZ[at] = zs[s];
        }
        System.arraycopy(start, 0, start, 1, columns * rows);
        start[0] = 0;
        size = count;
    }

    /**
     * Writes into {@code out} the slots within {@code radius} (inclusive) of (x, z), in grid order, at most
     * {@code out.length} of them.
     *
     * @return how many were found; if this equals {@code out.length} there may be more
     */
    public int queryRadius(float x, float z, float radius, int[] out) {
        float radiusSquared = radius * radius;
        int c0 = column(x - radius);
        int c1 = column(x + radius);
        int r0 = row(z - radius);
        int r1 = row(z + radius);
        int found = 0;
        for (int r = r0; r <= r1; r++) {
            int begin = start[r * columns + c0];
            int end = start[r * columns + c1 + 1];
            if (found + (end - begin) < out.length) {
                // Room for the whole run: write every entry and keep it only if inside, without a branch (about
                // half the entries of a run are outside the circle, which a branch would keep mispredicting).
                for (int e = begin; e < end; e++) {
                    float dx = sortedX[e] - x;
                    float dz = sortedZ[e] - z;
                    out[found] = sortedSlot[e];
                    found += dx * dx + dz * dz <= radiusSquared ? 1 : 0;
                }
            } else {
                for (int e = begin; e < end; e++) {
                    float dx = sortedX[e] - x;
                    float dz = sortedZ[e] - z;
                    if (dx * dx + dz * dz <= radiusSquared) {
                        if (found == out.length) {
                            return found;
                        }
                        out[found++] = sortedSlot[e];
                    }
                }
            }
        }
        return found;
    }

    private int bucket(float x, float z) {
        return row(z) * columns + column(x);
    }

    private int column(float x) {
        int c = (int) Math.floor((x - minX) * inverseBucketSize);
        return c < 0 ? 0 : Math.min(c, columns - 1);
    }

    private int row(float z) {
        int r = (int) Math.floor((z - minZ) * inverseBucketSize);
        return r < 0 ? 0 : Math.min(r, rows - 1);
    }
}

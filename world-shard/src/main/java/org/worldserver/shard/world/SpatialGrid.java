package org.worldserver.shard.world;

import java.util.Arrays;

/**
 * A uniform grid over a region's ground plane (x, z) for area-of-interest queries: which entities lie within a
 * radius of a point.
 *
 * <p>Entities are dense slot numbers {@code 0..capacity-1}. Each grid bucket keeps an intrusive doubly linked
 * list through {@code next}/{@code prev}, so insert, move and remove are O(1) and nothing is allocated after
 * construction. A query visits the buckets that overlap the circle's bounding square and checks the exact
 * distance. Points outside the grid's bounds are kept in the nearest edge bucket (they are still found by exact
 * distance).
 *
 * <p>Units: metres. Not thread-safe: owned by one cell and used on its tick.
 */
public final class SpatialGrid {

    private static final int NONE = -1;

    private final float minX;
    private final float minZ;
    private final float bucketSize;
    private final int columns;
    private final int rows;
    private final int[] head;
    private final int[] next;
    private final int[] prev;
    private final int[] bucketOf;
    private final float[] xs;
    private final float[] zs;
    private int size;

    /**
     * @param minX west edge, metres
     * @param minZ south edge, metres
     * @param width extent along x, metres (> 0)
     * @param depth extent along z, metres (> 0)
     * @param bucketSize side of one bucket, metres; about the typical query radius is a good choice
     * @param capacity the number of slots (entities are 0..capacity-1)
     */
    public SpatialGrid(float minX, float minZ, float width, float depth, float bucketSize, int capacity) {
        if (!(width > 0 && depth > 0 && bucketSize > 0) || capacity <= 0) {
            throw new IllegalArgumentException("grid extents, bucket size and capacity must be positive");
        }
        this.minX = minX;
        this.minZ = minZ;
        this.bucketSize = bucketSize;
        this.columns = Math.max(1, (int) Math.ceil(width / bucketSize));
        this.rows = Math.max(1, (int) Math.ceil(depth / bucketSize));
        this.head = new int[columns * rows];
        Arrays.fill(head, NONE);
        this.next = new int[capacity];
        this.prev = new int[capacity];
        this.bucketOf = new int[capacity];
        Arrays.fill(bucketOf, NONE);
        this.xs = new float[capacity];
        this.zs = new float[capacity];
    }

    public int capacity() {
        return bucketOf.length;
    }

    public int size() {
        return size;
    }

    public boolean contains(int slot) {
        return bucketOf[slot] != NONE;
    }

    /** Adds {@code slot} at (x, z). The slot must not be in the grid already. */
    public void insert(int slot, float x, float z) {
        if (bucketOf[slot] != NONE) {
            throw new IllegalStateException("slot " + slot + " is already in the grid");
        }
        xs[slot] = x;
        zs[slot] = z;
        link(slot, bucket(x, z));
        size++;
    }

    /** Moves {@code slot} (which must be in the grid) to (x, z). */
    public void move(int slot, float x, float z) {
        int from = bucketOf[slot];
        if (from == NONE) {
            throw new IllegalStateException("slot " + slot + " is not in the grid");
        }
        xs[slot] = x;
        zs[slot] = z;
        int to = bucket(x, z);
        if (to != from) {
            unlink(slot, from);
            link(slot, to);
        }
    }

    /** Removes {@code slot}; does nothing if it is not in the grid. */
    public void remove(int slot) {
        int from = bucketOf[slot];
        if (from == NONE) {
            return;
        }
        unlink(slot, from);
        bucketOf[slot] = NONE;
        size--;
    }

    /**
     * Writes into {@code out} the slots within {@code radius} (inclusive) of (x, z), in no particular order, at
     * most {@code out.length} of them.
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
            for (int c = c0; c <= c1; c++) {
                for (int s = head[r * columns + c]; s != NONE; s = next[s]) {
                    float dx = xs[s] - x;
                    float dz = zs[s] - z;
                    if (dx * dx + dz * dz <= radiusSquared) {
                        if (found == out.length) {
                            return found;
                        }
                        out[found++] = s;
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
        int c = (int) Math.floor((x - minX) / bucketSize);
        return c < 0 ? 0 : Math.min(c, columns - 1);
    }

    private int row(float z) {
        int r = (int) Math.floor((z - minZ) / bucketSize);
        return r < 0 ? 0 : Math.min(r, rows - 1);
    }

    private void link(int slot, int bucket) {
        int first = head[bucket];
        next[slot] = first;
        prev[slot] = NONE;
        if (first != NONE) {
            prev[first] = slot;
        }
        head[bucket] = slot;
        bucketOf[slot] = bucket;
    }

    private void unlink(int slot, int bucket) {
        int p = prev[slot];
        int n = next[slot];
        if (p == NONE) {
            head[bucket] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
    }
}

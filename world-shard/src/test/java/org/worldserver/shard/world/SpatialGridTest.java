package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SpatialGridTest {

    private static final float SIZE = 1000f;

    /**
     * The grid answers exactly what a brute-force scan answers, for random entities in random slots (some outside
     * the bounds), for random query points and radii, also after it is rebuilt with other entities that moved.
     */
    @Property(tries = 200)
    void shouldFindExactlyWhatABruteForceScanFinds(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 400) int capacity,
            @ForAll @FloatRange(min = 1f, max = 300f) float bucketSize) {
        Random random = new Random(seed);
        SpatialGrid grid = new SpatialGrid(-SIZE / 2, -SIZE / 2, SIZE, SIZE, bucketSize, capacity);
        float[] x = new float[capacity];
        float[] z = new float[capacity];
        int[] out = new int[capacity];
        for (int round = 0; round < 3; round++) {
            List<Integer> present = new ArrayList<>();
            for (int s = 0; s < capacity; s++) {
                if (random.nextInt(4) > 0) { // about three quarters of the slots are in use
                    present.add(s);
                }
                if (round == 0) {
                    x[s] = coordinate(random);
                    z[s] = coordinate(random);
                } else {
                    x[s] += (random.nextFloat() - 0.5f) * 2 * bucketSize;
                    z[s] += (random.nextFloat() - 0.5f) * 2 * bucketSize;
                }
            }
            int[] slots = present.stream().mapToInt(Integer::intValue).toArray();
            grid.rebuild(slots, slots.length, x, z);
            assertEquals(slots.length, grid.size());
            Set<Integer> listed = new HashSet<>();
            for (int i = 0; i < grid.size(); i++) {
                listed.add(grid.slotAt(i));
            }
            assertEquals(new HashSet<>(present), listed, "grid order lists every entity once");

            for (int q = 0; q < 20; q++) {
                float qx = coordinate(random);
                float qz = coordinate(random);
                float radius = random.nextFloat() * 200f;
                Set<Integer> expected = new HashSet<>();
                for (int s : present) {
                    float dx = x[s] - qx;
                    float dz = z[s] - qz;
                    if (dx * dx + dz * dz <= radius * radius) {
                        expected.add(s);
                    }
                }
                int n = grid.queryRadius(qx, qz, radius, out);
                Set<Integer> actual = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    actual.add(out[i]);
                }
                assertEquals(expected.size(), n, "duplicates or misses");
                assertEquals(expected, actual);
            }
        }
    }

    /** Mostly inside the bounds, sometimes up to 10% outside. */
    private static float coordinate(Random random) {
        return (random.nextFloat() - 0.5f) * SIZE * 1.2f;
    }

    @Property(tries = 50)
    void shouldStopAtTheOutputArraysLength(@ForAll @IntRange(min = 1, max = 50) int limit) {
        SpatialGrid grid = new SpatialGrid(0, 0, 100, 100, 10, 100);
        int[] slots = new int[100];
        float[] x = new float[100];
        float[] z = new float[100];
        for (int s = 0; s < 100; s++) {
            slots[s] = s;
            x[s] = 50;
            z[s] = 50;
        }
        grid.rebuild(slots, 100, x, z);
        assertEquals(limit, grid.queryRadius(50, 50, 1, new int[limit]));
    }

    @Test
    void shouldRefuseMoreEntitiesThanItsCapacity() {
        SpatialGrid grid = new SpatialGrid(0, 0, 100, 100, 10, 2);
        float[] xz = new float[3];
        assertThrows(IllegalArgumentException.class, () -> grid.rebuild(new int[] {0, 1, 2}, 3, xz, xz));
    }
}

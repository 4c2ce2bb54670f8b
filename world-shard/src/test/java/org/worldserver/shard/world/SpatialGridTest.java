package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

class SpatialGridTest {

    private static final float SIZE = 1000f;

    /**
     * The grid answers exactly what a brute-force scan answers, for random entities (some outside the bounds),
     * after random moves and removals, for random query points and radii.
     */
    @Property(tries = 200)
    void shouldFindExactlyWhatABruteForceScanFinds(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 400) int entities,
            @ForAll @FloatRange(min = 1f, max = 300f) float bucketSize) {
        Random random = new Random(seed);
        SpatialGrid grid = new SpatialGrid(-SIZE / 2, -SIZE / 2, SIZE, SIZE, bucketSize, entities);
        float[] x = new float[entities];
        float[] z = new float[entities];
        boolean[] present = new boolean[entities];
        for (int s = 0; s < entities; s++) {
            x[s] = coordinate(random);
            z[s] = coordinate(random);
            grid.insert(s, x[s], z[s]);
            present[s] = true;
        }
        for (int step = 0; step < entities * 3; step++) {
            int s = random.nextInt(entities);
            switch (random.nextInt(4)) {
                case 0 -> {
                    grid.remove(s);
                    present[s] = false;
                }
                case 1 -> {
                    if (!present[s]) {
                        x[s] = coordinate(random);
                        z[s] = coordinate(random);
                        grid.insert(s, x[s], z[s]);
                        present[s] = true;
                    }
                }
                default -> {
                    if (present[s]) {
                        x[s] += (random.nextFloat() - 0.5f) * 2 * bucketSize;
                        z[s] += (random.nextFloat() - 0.5f) * 2 * bucketSize;
                        grid.move(s, x[s], z[s]);
                    }
                }
            }
        }
        int[] out = new int[entities];
        for (int q = 0; q < 20; q++) {
            float qx = coordinate(random);
            float qz = coordinate(random);
            float radius = random.nextFloat() * 200f;
            Set<Integer> expected = new HashSet<>();
            for (int s = 0; s < entities; s++) {
                float dx = x[s] - qx;
                float dz = z[s] - qz;
                if (present[s] && dx * dx + dz * dz <= radius * radius) {
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
        int live = 0;
        for (boolean p : present) {
            live += p ? 1 : 0;
        }
        assertEquals(live, grid.size());
    }

    /** Mostly inside the bounds, sometimes up to 10% outside. */
    private static float coordinate(Random random) {
        return (random.nextFloat() - 0.5f) * SIZE * 1.2f;
    }

    @Property(tries = 50)
    void shouldStopAtTheOutputArraysLength(@ForAll @IntRange(min = 1, max = 50) int limit) {
        SpatialGrid grid = new SpatialGrid(0, 0, 100, 100, 10, 100);
        for (int s = 0; s < 100; s++) {
            grid.insert(s, 50, 50);
        }
        assertEquals(limit, grid.queryRadius(50, 50, 1, new int[limit]));
    }
}

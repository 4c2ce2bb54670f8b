package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class InterestManagerTest {

    private static final float TICK_HZ = 20f;
    // 1200 B/s at 20 Hz = 60 B per tick = 3 updates of 20 B per tick.
    private static final InterestSettings SETTINGS = new InterestSettings(64f, 6f, 2f, 1f, 1f, 3f, 1200, 20, 1f);

    private AvatarTable table = new AvatarTable(256);
    private int nextEntity = 1;

    private int add(float x, float z) {
        return table.add("a" + nextEntity, nextEntity++, x, 0, z);
    }

    @Property(tries = 300)
    void shouldProduceWeightsThatArePositiveAndSumToOne(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 200) int count) {
        Random random = new Random(seed);
        table = new AvatarTable(256); // jqwik reuses the instance across tries
        int observer = add(0, 0);
        table.focusX[observer] = (float) Math.cos(seed);
        table.focusZ[observer] = (float) Math.sin(seed);
        int[] candidates = new int[count];
        for (int k = 0; k < count; k++) {
            int s = add((random.nextFloat() - 0.5f) * 128, (random.nextFloat() - 0.5f) * 128);
            table.vx[s] = (random.nextFloat() - 0.5f) * 12;
            table.vz[s] = (random.nextFloat() - 0.5f) * 12;
            table.interactingWith[s] = random.nextInt(10) == 0 ? table.entityId[observer] : AvatarTable.NONE;
            candidates[k] = s;
        }
        InterestManager manager = new InterestManager(SETTINGS, TICK_HZ, 200);
        float[] weights = new float[count];
        int sent = manager.plan(table, observer, candidates, count, new ObserverInterest(), 1, weights, new int[count]);

        double sum = 0;
        for (int k = 0; k < count; k++) {
            assertTrue(weights[k] > 0f && weights[k] <= 1f, "weight " + weights[k]);
            sum += weights[k];
        }
        assertEquals(1.0, sum, 1e-4);
        assertEquals(Math.min(count, 3), sent, "a full budget's worth of updates");
    }

    @Test
    void shouldScoreNearerFocusedAndInteractingEntitiesHigher() {
        int observer = add(0, 0); // faces +z
        int near = add(0, 5);
        int far = add(0, 50);
        int behind = add(0, -5);
        int partner = add(0, -50);
        table.interactingWith[observer] = table.entityId[partner];
        int[] candidates = {near, far, behind, partner};
        float[] w = new float[4];

        new InterestManager(SETTINGS, TICK_HZ, 8)
                .plan(table, observer, candidates, 4, new ObserverInterest(), 1, w, new int[4]);

        assertTrue(w[0] > w[1], "near beats far: " + Arrays.toString(w));
        assertTrue(w[0] > w[2], "in focus beats behind: " + Arrays.toString(w));
        assertTrue(w[3] > w[1], "an interaction partner beats an equally far stranger: " + Arrays.toString(w));
    }

    @Test
    void shouldSendEnteringEntitiesFirstAndNeverExceedTheBudget() {
        InterestManager manager = new InterestManager(SETTINGS, TICK_HZ, 64);
        int observer = add(0, 0);
        int[] candidates = new int[10];
        for (int k = 0; k < 10; k++) {
            candidates[k] = add(k + 1, 0);
        }
        ObserverInterest interest = new ObserverInterest();
        int[] selected = new int[10];
        float[] w = new float[10];
        boolean[] everSent = new boolean[10];
        for (int tick = 1; tick <= 4; tick++) {
            int sent = manager.plan(table, observer, candidates, 10, interest, tick, w, selected);
            assertTrue(sent * SETTINGS.updateBytes() <= manager.budgetBytesPerTick());
            for (int i = 0; i < sent; i++) {
                int k = Arrays.stream(candidates).boxed().toList().indexOf(selected[i]);
                assertTrue(!everSent[k] || tick == 4, "tick " + tick + " re-sent " + k + " while others never were");
                everSent[k] = true;
            }
        }
        for (boolean b : everSent) {
            assertTrue(b, "every entering entity sent within ceil(10 / 3) ticks");
        }
    }

    /**
     * Starvation-freedom: 60 candidates, three updates a tick, the observer and the near ones moving fast, one far
     * static entity. Over 2000 ticks no candidate waits longer than the minimum-refresh interval plus the ticks
     * needed to drain everything that is due at once.
     */
    @Test
    void shouldRefreshEveryEntityIncludingAFarStaticOneAtTheMinimumRate() {
        InterestManager manager = new InterestManager(SETTINGS, TICK_HZ, 64);
        Random random = new Random(42);
        int observer = add(0, 0);
        int n = 60;
        int[] candidates = new int[n];
        for (int k = 0; k < n - 1; k++) {
            candidates[k] = add((random.nextFloat() - 0.5f) * 20, (random.nextFloat() - 0.5f) * 20);
        }
        int farStatic = add(63, 0);
        candidates[n - 1] = farStatic;
        ObserverInterest interest = new ObserverInterest();
        int[] lastSent = new int[n];
        int[] maxGap = new int[n];
        int[] selected = new int[n];
        float[] w = new float[n];
        int perTick = manager.budgetBytesPerTick() / SETTINGS.updateBytes();

        for (int tick = 1; tick <= 2000; tick++) {
            for (int k = 0; k < n - 1; k++) {
                int s = candidates[k];
                table.vx[s] = (random.nextFloat() - 0.5f) * 12;
                table.vz[s] = (random.nextFloat() - 0.5f) * 12;
            }
            table.focusX[observer] = (float) Math.cos(tick / 10.0);
            table.focusZ[observer] = (float) Math.sin(tick / 10.0);
            int sent = manager.plan(table, observer, candidates, n, interest, tick, w, selected);
            assertEquals(perTick, sent);
            for (int i = 0; i < sent; i++) {
                int k = indexOf(candidates, selected[i]);
                maxGap[k] = Math.max(maxGap[k], tick - lastSent[k]);
                lastSent[k] = tick;
            }
        }
        int bound = manager.minRefreshTicks() + (n + perTick - 1) / perTick;
        for (int k = 0; k < n; k++) {
            assertTrue(maxGap[k] <= bound, "candidate " + k + " waited " + maxGap[k] + " ticks, bound " + bound);
            assertTrue(2000 - lastSent[k] <= bound, "candidate " + k + " starved at the end");
        }
    }

    @Test
    void shouldForgetEntitiesThatLeftTheAreaOfInterest() {
        InterestManager manager = new InterestManager(SETTINGS, TICK_HZ, 8);
        int observer = add(0, 0);
        int a = add(1, 0);
        int b = add(2, 0);
        ObserverInterest interest = new ObserverInterest();
        manager.plan(table, observer, new int[] {a, b}, 2, interest, 1, new float[2], new int[2]);
        int[] departed = new int[8];
        assertEquals(0, interest.forgetDeparted(1, departed));
        assertTrue(interest.hasBeenSent(table.entityId[a]));

        manager.plan(table, observer, new int[] {b}, 1, interest, 2, new float[1], new int[1]);
        assertEquals(1, interest.forgetDeparted(2, departed));
        assertEquals(table.entityId[a], departed[0]);
        assertEquals(1, interest.knownCount());
    }

    private static int indexOf(int[] array, int value) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == value) {
                return i;
            }
        }
        throw new AssertionError(value + " not a candidate");
    }

    /** The softmax's exponential: close to Math.exp over the whole range it is used on, and 0 below it. */
    @Test
    void shouldComputeTheExponentialOfNonPositiveScoresToSixDigits() {
        for (float x = 0f; x >= -87f; x -= 0.0137f) {
            double exact = Math.exp(x);
            double error = Math.abs(InterestManager.expOfNonPositive(x) - exact) / exact;
            assertTrue(error < (x >= -10f ? 1e-6 : 1e-5), "e^" + x + " off by " + error);
        }
        assertEquals(1f, InterestManager.expOfNonPositive(0f));
        assertEquals(0f, InterestManager.expOfNonPositive(-88f));
        assertEquals(0f, InterestManager.expOfNonPositive(Float.NEGATIVE_INFINITY));
    }

    /** Selection puts exactly the m largest of n distinct values at the end, as sorting would. */
    @Property(tries = 300)
    void shouldSelectTheLargestValuesAsSortingWould(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 300) int n, @ForAll @IntRange(min = 1) int m0) {
        int m = 1 + m0 % (n - 1);
        long[] values = new Random(seed).longs().distinct().limit(n).toArray();
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        InterestManager.selectLargest(values, n, m);
        long[] top = Arrays.copyOfRange(values, n - m, n);
        Arrays.sort(top);
        assertArrayEquals(Arrays.copyOfRange(sorted, n - m, n), top);
    }
}

package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.worldserver.protocol.EntityStates;

class InterpolationBufferTest {

    private static final float EPS = 1e-5f;

    private final InterpolationBuffer buffer = new InterpolationBuffer(4);
    private final float[] out = new float[3];

    private float[] at(int entityId, long renderTimeMicros) {
        assertTrue(buffer.sample(entityId, renderTimeMicros, out), "entity " + entityId + " has samples");
        return out.clone();
    }

    @Test
    void shouldInterpolateLinearlyInMetresBetweenTheSamplesAroundTheRenderTime() {
        buffer.add(1, 1_000_000, 100, 0, -200);
        buffer.add(1, 1_050_000, 300, 50, 200);
        buffer.add(1, 1_100_000, 300, 50, 1200);

        assertArrayEquals(new float[] {2f, 0.25f, 0f}, at(1, 1_025_000), EPS);
        assertArrayEquals(new float[] {3f, 0.5f, 7f}, at(1, 1_075_000), EPS);
        assertArrayEquals(new float[] {3f, 0.5f, 2f}, at(1, 1_050_000), EPS, "exactly on a sample");
        assertArrayEquals(new float[] {2.8f, 0.45f, 1.6f}, at(1, 1_045_000), EPS);
    }

    @Test
    void shouldClampBeforeTheOldestAndAfterTheNewestSample() {
        buffer.add(1, 1_000_000, 100, 0, 0);
        buffer.add(1, 1_050_000, 300, 0, 0);

        assertEquals(1f, at(1, 0)[0], EPS);
        assertEquals(1f, at(1, 999_999)[0], EPS);
        assertEquals(3f, at(1, 1_050_001)[0], EPS);
        assertEquals(3f, at(1, Long.MAX_VALUE)[0], EPS);
    }

    @Test
    void shouldAnswerWithTheOnlySampleOfANewEntity() {
        buffer.add(5, 2_000, -150, 20, 30);

        assertArrayEquals(new float[] {-1.5f, 0.2f, 0.3f}, at(5, 0), EPS);
        assertArrayEquals(new float[] {-1.5f, 0.2f, 0.3f}, at(5, 9_999), EPS);
    }

    @Test
    void shouldReportAnUnknownOrRemovedEntityAndLeaveTheOutputAlone() {
        out[0] = 42f;
        assertFalse(buffer.sample(9, 1_000, out));
        buffer.add(9, 1_000, 100, 100, 100);
        buffer.remove(9);
        assertFalse(buffer.sample(9, 1_000, out));
        assertEquals(42f, out[0]);
        assertEquals(0, buffer.size());

        buffer.add(9, 5_000, 700, 0, 0); // a removed entity's buffer starts empty when it comes back
        assertEquals(7f, at(9, 1_000)[0], EPS);
    }

    @Test
    void shouldEvictTheOldestSampleOnceFull() {
        for (int t = 1; t <= 6; t++) {
            buffer.add(3, t * 1_000L, t * 100, 0, 0);
        }
        // Samples 1 and 2 are gone: times before sample 3 clamp to it.
        assertEquals(3f, at(3, 1_000)[0], EPS);
        assertEquals(3f, at(3, 2_500)[0], EPS);
        assertEquals(3.5f, at(3, 3_500)[0], EPS);
        assertEquals(6f, at(3, 6_000)[0], EPS);
    }

    @Test
    void shouldReplaceASampleAtTheSameTimeAndRestartWhenTheServerClockGoesBack() {
        buffer.add(1, 1_000, 100, 0, 0);
        buffer.add(1, 2_000, 200, 0, 0);
        buffer.add(1, 2_000, 400, 0, 0);
        assertEquals(2.5f, at(1, 1_500)[0], EPS);

        buffer.add(1, 500, 900, 0, 0); // another node's clock: the old samples are meaningless
        assertEquals(9f, at(1, 1_500)[0], EPS);
        assertEquals(9f, at(1, 0)[0], EPS);
    }

    @Test
    void shouldSampleEveryEntityOfAView() {
        EntityStates view = new EntityStates(4);
        view.add(1, 100, 0, 0, 0, 0, 0);
        view.add(2, 0, 0, 1000, 0, 0, 0);
        buffer.add(10_000, view);
        view.clear();
        view.add(1, 200, 0, 0, 0, 0, 0);
        view.add(2, 0, 0, 2000, 0, 0, 0);
        buffer.add(20_000, view);

        assertEquals(2, buffer.size());
        assertEquals(1.5f, at(1, 15_000)[0], EPS);
        assertEquals(15f, at(2, 15_000)[2], EPS);
        buffer.clear();
        assertEquals(0, buffer.size());
        assertFalse(buffer.sample(1, 15_000, out));
    }

    @Test
    void shouldRefuseFewerThanTwoSamples() {
        assertThrows(IllegalArgumentException.class, () -> new InterpolationBuffer(1));
    }
}

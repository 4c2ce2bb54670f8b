package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class QuantizationTest {

    @Property(tries = 500)
    void shouldKeepPositionsToTheCentimetre(@ForAll @FloatRange(min = -100_000, max = 100_000) @Scale(4) float metres) {
        float back = Quantization.metres(Quantization.position(metres));
        // 5 mm from rounding, plus the float's own resolution at this magnitude.
        assertTrue(Math.abs(back - metres) <= 0.005f + Math.ulp(metres) * 2, metres + " came back as " + back);
    }

    @Test
    void shouldSaturateHugeValuesAndReadNanAsZero() {
        assertEquals(Integer.MAX_VALUE, Quantization.position(1e30f));
        assertEquals(Integer.MIN_VALUE, Quantization.position(Float.NEGATIVE_INFINITY));
        assertEquals(0, Quantization.position(Float.NaN));
        assertEquals(0, Quantization.velocity(Float.NaN));
        assertEquals(-127, Quantization.intent(-5f));
        assertEquals(0, Quantization.intent(Float.NaN));
        assertEquals(-1f, Quantization.intentFraction((byte) -128));
    }

    @Property(tries = 300)
    void shouldKeepVelocitiesAndIntents(
            @ForAll @FloatRange(min = -50, max = 50) float speed, @ForAll @FloatRange(min = -1, max = 1) float f) {
        assertTrue(Math.abs(Quantization.metresPerSecond(Quantization.velocity(speed)) - speed) <= 0.005f + 1e-5f);
        assertTrue(Math.abs(Quantization.intentFraction(Quantization.intent(f)) - f) <= 0.5f / 127 + 1e-6f);
    }

    @Property(tries = 300)
    void shouldKeepTheFocusDirectionToHalfAStepOf360Over65536Degrees(
            @ForAll @FloatRange(min = 0, max = 6.2831f) @Scale(4) float angle) {
        float fx = (float) Math.sin(angle);
        float fz = (float) Math.cos(angle);
        int yaw = Quantization.yaw(fx * 3, fz * 3); // any length
        double difference = Math.atan2(Quantization.focusX(yaw), Quantization.focusZ(yaw)) - Math.atan2(fx, fz);
        double error = Math.abs(Math.IEEEremainder(difference, 2 * Math.PI)); // half a step: 0.0027°
        assertTrue(Math.toDegrees(error) < 0.003, "off by " + Math.toDegrees(error) + "°");
    }

    /**
     * Random unit quaternions come back as the same rotation (q or −q) within 0.28°, the worst case of the
     * encoding: each of the three small components is off by at most 0.0007 (|Δ| ≤ 0.0012 together), the
     * rebuilt largest one (at least 1/2) by at most Σ|c·Δc| / w ≤ 0.0021, so |q − q'| ≤ 0.0024 and the angle
     * 2·|q − q'| ≤ 0.0048 rad. Typical errors are under 0.1°. (The bound was 0.2° until a random case reached
     * 0.2008°.)
     */
    @Property(tries = 1000)
    void shouldKeepRotationsInSmallestThreeForm(
            @ForAll @FloatRange(min = -1, max = 1) @Scale(4) float x,
            @ForAll @FloatRange(min = -1, max = 1) @Scale(4) float y,
            @ForAll @FloatRange(min = -1, max = 1) @Scale(4) float z,
            @ForAll @FloatRange(min = -1, max = 1) @Scale(4) float w) {
        float norm = (float) Math.sqrt(x * x + y * y + z * z + w * w);
        if (norm < 1e-3f) {
            return;
        }
        float[] q = {x / norm, y / norm, z / norm, w / norm};
        float[] back = new float[4];
        Quantization.quaternion(Quantization.smallestThree(x, y, z, w), back);
        // In double: near 1, acos magnifies float rounding of the dot product by hundredths of a degree.
        double dot = Math.abs(
                (double) q[0] * back[0] + (double) q[1] * back[1] + (double) q[2] * back[2] + (double) q[3] * back[3]);
        double angle = Math.toDegrees(2 * Math.acos(Math.min(1, dot)));
        assertTrue(angle < 0.28, "rotation off by " + angle + "°");
    }

    @Test
    void shouldPackAZeroQuaternionAsTheIdentity() {
        float[] back = new float[4];
        Quantization.quaternion(Quantization.smallestThree(0, 0, 0, 0), back);
        assertEquals(1f, back[3], 1e-6f);
    }

    /** The facing rotation turns north onto the focus direction. */
    @Property(tries = 300)
    void shouldFaceTheFocusDirection(@ForAll @FloatRange(min = 0, max = 6.2831f) @Scale(4) float angle) {
        float fx = (float) Math.sin(angle);
        float fz = (float) Math.cos(angle);
        float[] q = new float[4];
        Quantization.quaternion(Quantization.rotationFacing(fx, fz), q);
        // North (0, 0, 1) rotated by q: for a rotation about y, x' = 2(xz + wy), z' = 1 − 2(x² + y²).
        float rx = 2 * (q[0] * q[2] + q[3] * q[1]);
        float rz = 1 - 2 * (q[0] * q[0] + q[1] * q[1]);
        assertEquals(fx, rx, 0.005f);
        assertEquals(fz, rz, 0.005f);
    }
}

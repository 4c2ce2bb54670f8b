package org.worldserver.protocol;

/**
 * The world's numbers in their wire form: fixed point and compact. Pure, allocation-free functions.
 *
 * <ul>
 *   <li>Positions: centimetres relative to the region's origin (x east, y up, z north) as int32: a precision of
 *       1 cm (an error of at most 5 mm) over ±21,474 km.
 *   <li>Velocities: centimetres per second as int32 (the state codec packs them as variable-length integers).
 *   <li>Rotations: unit quaternions in smallest-three form, 32 bits: the index of the largest component (2 bits;
 *       its sign is made positive, as q and −q are the same rotation) and the other three (10 bits each,
 *       ±1/√2 in steps of 1/(511·√2), an error of at most 0.0007 per component: typically under 0.1°, at most
 *       0.28° with the rebuilt largest component).
 *   <li>Movement intent: int8 per axis, −127..127 for −1..1 of the region's maximum speed.
 *   <li>Focus direction: yaw in 1/65536 turns from north (+z) towards east (+x), as uint16.
 * </ul>
 */
public final class Quantization {

    /** Position units per metre. */
    public static final int POSITION_UNITS_PER_METRE = 100;

    /** Velocity units per metre per second. */
    public static final int VELOCITY_UNITS_PER_METRE_PER_SECOND = 100;

    private static final float COMPONENT_RANGE = (float) (1 / Math.sqrt(2));
    private static final int COMPONENT_STEPS = 511;

    private Quantization() {}

    /** Metres → position units, rounded to nearest and saturated to the int range; NaN → 0. */
    public static int position(float metres) {
        return saturate(metres * POSITION_UNITS_PER_METRE);
    }

    public static float metres(int positionUnits) {
        return positionUnits / (float) POSITION_UNITS_PER_METRE;
    }

    /** m/s → velocity units, rounded to nearest and saturated; NaN → 0. */
    public static int velocity(float metresPerSecond) {
        return saturate(metresPerSecond * VELOCITY_UNITS_PER_METRE_PER_SECOND);
    }

    public static float metresPerSecond(int velocityUnits) {
        return velocityUnits / (float) VELOCITY_UNITS_PER_METRE_PER_SECOND;
    }

    /** An intent component in [−1, 1] (clamped; NaN → 0) → −127..127. */
    public static byte intent(float fraction) {
        float clamped = Float.isNaN(fraction) ? 0 : Math.max(-1f, Math.min(1f, fraction));
        return (byte) Math.round(clamped * 127);
    }

    public static float intentFraction(byte intent) {
        return Math.max(-127, intent) / 127f; // −128 is read as −127
    }

    /** A focus direction on the ground plane (any length > 0; (0, 0) → north) → yaw, 1/65536 turns. */
    public static int yaw(float focusX, float focusZ) {
        double turns = Math.atan2(focusX, focusZ) / (2 * Math.PI); // (−½, ½], 0 = north, ¼ = east
        return (int) Math.round(turns * 65536) & 0xFFFF;
    }

    /** Yaw (1/65536 turns) → the unit focus vector's east component. */
    public static float focusX(int yaw) {
        return (float) Math.sin((yaw & 0xFFFF) * (2 * Math.PI / 65536));
    }

    /** Yaw (1/65536 turns) → the unit focus vector's north component. */
    public static float focusZ(int yaw) {
        return (float) Math.cos((yaw & 0xFFFF) * (2 * Math.PI / 65536));
    }

    /**
     * The rotation about the up axis that turns north (+z) to the focus direction (fx, fz), as a smallest-three
     * quaternion: (0, sin φ/2, 0, cos φ/2) with φ = atan2(fx, fz), computed by the half-angle formulas from
     * cos φ and sin φ of the normalised direction (two square roots, no trigonometry: it runs per entity per
     * observer per tick). A zero direction faces north.
     */
    public static int rotationFacing(float focusX, float focusZ) {
        double length = Math.sqrt((double) focusX * focusX + (double) focusZ * focusZ);
        if (!(length > 0) || !Double.isFinite(length)) {
            return smallestThree(0, 0, 0, 1);
        }
        double cos = focusZ / length;
        double sin = focusX / length;
        // The half angle from whichever of cos φ/2, sin φ/2 is the larger (no cancellation), the other from
        // sin φ = 2 sin φ/2 cos φ/2.
        double sinHalf;
        double cosHalf;
        if (cos >= 0) {
            cosHalf = Math.sqrt((1 + cos) * 0.5);
            sinHalf = sin / (2 * cosHalf);
        } else {
            sinHalf = Math.copySign(Math.sqrt((1 - cos) * 0.5), sin);
            cosHalf = Math.abs(sin / (2 * sinHalf));
        }
        return smallestThree(0f, (float) sinHalf, 0f, (float) cosHalf);
    }

    /**
     * Packs the unit quaternion (x, y, z, w); it is normalised first (a zero or non-finite one packs as the
     * identity). Allocation-free.
     */
    public static int smallestThree(float x, float y, float z, float w) {
        float norm = (float) Math.sqrt(x * x + y * y + z * z + w * w);
        if (!(norm > 0) || !Float.isFinite(norm)) {
            return smallestThree(0, 0, 0, 1);
        }
        float ax = Math.abs(x);
        float ay = Math.abs(y);
        float az = Math.abs(z);
        float aw = Math.abs(w);
        int largest = 0;
        float max = ax;
        if (ay > max) {
            largest = 1;
            max = ay;
        }
        if (az > max) {
            largest = 2;
            max = az;
        }
        if (aw > max) {
            largest = 3;
        }
        float scale = ((largest == 0 ? x : largest == 1 ? y : largest == 2 ? z : w) < 0 ? -1f : 1f) / norm;
        switch (largest) {
            case 0:
                return pack(0, y * scale, z * scale, w * scale);
            case 1:
                return pack(1, x * scale, z * scale, w * scale);
            case 2:
                return pack(2, x * scale, y * scale, w * scale);
            default:
                return pack(3, x * scale, y * scale, z * scale);
        }
    }

    private static int pack(int largest, float a, float b, float c) {
        return largest << 30 | component(a) << 20 | component(b) << 10 | component(c);
    }

    /** −1/√2..1/√2 → 10 bits, two's complement, −511..511. */
    private static int component(float value) {
        float clamped = Math.max(-COMPONENT_RANGE, Math.min(COMPONENT_RANGE, value));
        return Math.round(clamped / COMPONENT_RANGE * COMPONENT_STEPS) & 0x3FF;
    }

    /** Unpacks a smallest-three quaternion into {@code out[0..4)} = x, y, z, w (a unit quaternion, w ≥ 0 or not). */
    public static void quaternion(int packed, float[] out) {
        int largest = packed >>> 30;
        float sumSquares = 0;
        int shift = 20;
        for (int i = 0; i < 4; i++) {
            if (i != largest) {
                int steps = (packed >> shift) & 0x3FF;
                if (steps >= 512) {
                    steps -= 1024; // sign-extend the 10 bits
                }
                float c = steps / (float) COMPONENT_STEPS * COMPONENT_RANGE;
                out[i] = c;
                sumSquares += c * c;
                shift -= 10;
            }
        }
        out[largest] = (float) Math.sqrt(Math.max(0f, 1f - sumSquares));
    }

    private static int saturate(float scaled) {
        if (Float.isNaN(scaled)) {
            return 0;
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(scaled)));
    }
}

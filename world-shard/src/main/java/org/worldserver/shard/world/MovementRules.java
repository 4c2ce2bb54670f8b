package org.worldserver.shard.world;

/**
 * Server-authoritative movement. Clients send an intent (a direction on the ground plane with magnitude ≤ 1:
 * the fraction of the maximum speed), never a position; the server integrates it, so no client can move faster
 * than {@code maxSpeed} or leave the region's bounds. Positions change otherwise only through an explicit
 * teleport that the region allows.
 *
 * <p>Units: metres, seconds, m/s. Stateless and allocation-free.
 */
public final class MovementRules {

    private final RegionBounds bounds;
    private final float maxSpeed;
    private final boolean teleportAllowed;

    /**
     * @param maxSpeed fastest an avatar may move, m/s (> 0)
     * @param teleportAllowed whether this region accepts explicit teleports
     */
    public MovementRules(RegionBounds bounds, float maxSpeed, boolean teleportAllowed) {
        if (!(maxSpeed > 0) || !Float.isFinite(maxSpeed)) {
            throw new IllegalArgumentException("max speed must be a positive number of m/s");
        }
        this.bounds = bounds;
        this.maxSpeed = maxSpeed;
        this.teleportAllowed = teleportAllowed;
    }

    public RegionBounds bounds() {
        return bounds;
    }

    public float maxSpeed() {
        return maxSpeed;
    }

    /** True if an intent can be applied: both components finite. Its length is capped at 1 when applied. */
    public static boolean isValidIntent(float intentX, float intentZ) {
        return Float.isFinite(intentX) && Float.isFinite(intentZ);
    }

    /** True if a focus direction can be applied: finite and not (nearly) zero. */
    public static boolean isValidFocus(float focusX, float focusZ) {
        return Float.isFinite(focusX) && Float.isFinite(focusZ) && focusX * focusX + focusZ * focusZ > 1e-6f;
    }

    /**
     * Moves {@code slot} for {@code dt} seconds at its intent: velocity = intent (capped to length 1) × max
     * speed; the new position is clamped to the bounds, and the velocity component that hit a bound is zeroed.
     */
    public void step(AvatarTable t, int slot, float intentX, float intentZ, float dt) {
        float lengthSquared = intentX * intentX + intentZ * intentZ;
        float scale = lengthSquared > 1f ? maxSpeed / (float) Math.sqrt(lengthSquared) : maxSpeed;
        float vx = intentX * scale;
        float vz = intentZ * scale;
        float x = t.x[slot] + vx * dt;
        float z = t.z[slot] + vz * dt;
        if (x < bounds.minX() || x > bounds.maxX()) {
            x = Math.max(bounds.minX(), Math.min(bounds.maxX(), x));
            vx = 0;
        }
        if (z < bounds.minZ() || z > bounds.maxZ()) {
            z = Math.max(bounds.minZ(), Math.min(bounds.maxZ(), z));
            vz = 0;
        }
        t.x[slot] = x;
        t.z[slot] = z;
        t.vx[slot] = vx;
        t.vz[slot] = vz;
    }

    /** Why a teleport is refused, or null if it may happen. */
    public String teleportProblem(float x, float y, float z) {
        if (!teleportAllowed) {
            return "this region does not allow teleports";
        }
        if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
            return "coordinates must be finite";
        }
        if (!bounds.contains(x, y, z)) {
            return "destination is outside the region's bounds";
        }
        return null;
    }
}

package org.worldserver.shard.world;

/**
 * The box an avatar may occupy, in metres relative to the region's origin: x east, y up, z north. Bounds are
 * inclusive.
 */
public record RegionBounds(float minX, float minY, float minZ, float maxX, float maxY, float maxZ) {

    public RegionBounds {
        if (!(minX < maxX && minY <= maxY && minZ < maxZ) || !Float.isFinite(minX + minY + minZ + maxX + maxY + maxZ)) {
            throw new IllegalArgumentException("bounds must be finite with min < max");
        }
    }

    public boolean contains(float x, float y, float z) {
        return x >= minX && x <= maxX && y >= minY && y <= maxY && z >= minZ && z <= maxZ;
    }

    public float width() {
        return maxX - minX;
    }

    public float depth() {
        return maxZ - minZ;
    }
}

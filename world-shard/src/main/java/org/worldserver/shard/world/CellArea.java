package org.worldserver.shard.world;

/**
 * The part of a region's ground plane one cell owns. An avatar whose position leaves it after a tick is handed
 * over to the cell that owns its new position.
 */
public interface CellArea {

    /** Whether (x, z) belongs to this cell. Must be allocation-free: asked for every avatar every tick. */
    boolean owns(float x, float z);

    /** The rectangle this cell owns, metres; the cell sizes its area-of-interest grid around it. */
    RegionBounds square();

    /** A cell that owns its whole region. */
    static CellArea wholeRegion(RegionBounds region) {
        return new CellArea() {
            @Override
            public boolean owns(float x, float z) {
                return true;
            }

            @Override
            public RegionBounds square() {
                return region;
            }
        };
    }
}

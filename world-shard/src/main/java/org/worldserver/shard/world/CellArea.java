package org.worldserver.shard.world;

/**
 * The part of a region's ground plane one cell owns. An avatar whose position leaves it after a tick is handed
 * over to the cell that owns its new position. Must be allocation-free: asked for every avatar every tick.
 */
@FunctionalInterface
public interface CellArea {

    /** A cell that owns its whole region. */
    CellArea WHOLE_REGION = (x, z) -> true;

    boolean owns(float x, float z);
}

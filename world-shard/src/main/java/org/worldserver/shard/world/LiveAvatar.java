package org.worldserver.shard.world;

import org.worldserver.persistence.CborSerializable;

/**
 * Everything a cell knows about one avatar it simulates, as it moves from cell to cell in a handover.
 *
 * @param entityId compact id on the wire, unique in the region
 * @param x metres east, {@code y} up, {@code z} north, relative to the region's origin
 * @param vx velocity east, m/s; {@code vz} north
 * @param focusX unit focus direction east; {@code focusZ} north
 * @param intentX movement intent east (fraction of max speed); {@code intentZ} north
 * @param lastInput sequence number of the last accepted input, -1 if none
 */
public record LiveAvatar(
        String avatarId,
        int entityId,
        float x,
        float y,
        float z,
        float vx,
        float vz,
        float focusX,
        float focusZ,
        float intentX,
        float intentZ,
        int lastInput)
        implements CborSerializable {

    /** The same avatar at another place, at rest, with a new entity id (a move to another region). */
    public LiveAvatar arrivingAt(int newEntityId, float px, float py, float pz) {
        return new LiveAvatar(avatarId, newEntityId, px, py, pz, 0, 0, focusX, focusZ, 0, 0, lastInput);
    }
}

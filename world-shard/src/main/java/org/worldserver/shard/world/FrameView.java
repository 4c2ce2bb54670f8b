package org.worldserver.shard.world;

/**
 * What one observer is to be sent after one tick, as a session stream reads it: the updates (their state as the
 * wire carries it, and their avatars' ids for naming), the entities that left, the last input applied. {@link
 * ObserverFrame} is one, read during the tick; a frame relayed from another node is another.
 */
public interface FrameView {

    /** The observer's own avatar id. */
    String observerAvatarId();

    /**
     * Where the observer's own state as the wire carries it starts in {@link #wire()}: sent in every snapshot, so
     * the client can reconcile its prediction with the server's position of its own avatar.
     */
    int ownWireOffset();

    /** Sequence number of the observer's last input that has been applied, or -1 if none yet. */
    int lastAppliedInput();

    int updateCount();

    /** The array the updates' wire states live in: at {@link #updateWireOffset}, {@link AvatarTable#WIRE_STRIDE} ints. */
    int[] wire();

    int updateWireOffset(int i);

    /** The avatar id of the i-th update's entity (its name on the wire). */
    String updateAvatarId(int i);

    int departedCount();

    /** Entity id of the i-th entity that left the observer's area of interest. */
    int departedEntity(int i);
}

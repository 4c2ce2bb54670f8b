package org.worldserver.shard.world;

/**
 * Where a cell's tick output goes: once per observer per tick, what that observer is to be sent. The Aeron
 * gateway implements it by copying the frame into the session's outbound buffer.
 *
 * <p>Called on the cell's thread during {@link CellSimulation#tick}; must not block and should not allocate.
 * The frame is a reused flyweight, valid only during the call.
 */
@FunctionalInterface
public interface ObserverSink {

    void onFrame(ObserverFrame frame);

    /** The tick has handed over every observer's frame (a sink that batches sends them now). */
    default void tickEnded() {}
}

package org.worldserver.shard.region;

import java.util.concurrent.atomic.AtomicLong;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;

/**
 * Counts the frames and entity updates a cell's ticks produced, whether or not a client session received them,
 * for {@code /metrics}. Written on the cell's thread, read from any.
 */
public final class UpdateCounter implements ObserverSink {

    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();

    @Override
    public void onFrame(ObserverFrame frame) {
        frames.lazySet(frames.get() + 1);
        updates.lazySet(updates.get() + frame.updateCount());
    }

    public long frames() {
        return frames.get();
    }

    public long updates() {
        return updates.get();
    }
}

package org.worldserver.shard.region;

import java.util.concurrent.atomic.AtomicLong;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;

/**
 * The sink a cell uses until the client gateway consumes its frames: counts the frames and entity updates the
 * tick produced (what would go out), for {@code /metrics}. Written on the cell's thread, read from any.
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

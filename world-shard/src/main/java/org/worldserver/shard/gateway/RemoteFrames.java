package org.worldserver.shard.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.worldserver.shard.world.AvatarTable;
import org.worldserver.shard.world.ObserverFrame;

/**
 * The frames one cell produced in one tick for sessions on other nodes, batched by destination relay and sent when
 * the tick ends ({@link SessionRelay}). Owned by the cell's thread. Allocates per remote observer per tick (the
 * frame is copied into a message).
 */
final class RemoteFrames {

    private final String cell;
    private Map<ActorRef<SessionRelay.Command>, List<SessionRelay.RelayedFrame>> frames = new HashMap<>();
    private Map<ActorRef<SessionRelay.Command>, Map<Integer, String>> names = new HashMap<>();

    RemoteFrames(String cell) {
        this.cell = cell;
    }

    /** Copies {@code frame} into the batch for {@code relay}. */
    void add(ActorRef<SessionRelay.Command> relay, ObserverFrame frame) {
        int n = frame.updateCount();
        int[] from = frame.wire();
        int[] wire = new int[(n + 1) * AvatarTable.WIRE_STRIDE]; // the updates, then the observer's own state
        Map<Integer, String> batchNames = names.computeIfAbsent(relay, any -> new HashMap<>());
        for (int i = 0; i < n; i++) {
            int at = frame.updateWireOffset(i);
            System.arraycopy(from, at, wire, i * AvatarTable.WIRE_STRIDE, AvatarTable.WIRE_STRIDE);
            batchNames.putIfAbsent(from[at], frame.updateAvatarId(i));
        }
        System.arraycopy(from, frame.ownWireOffset(), wire, n * AvatarTable.WIRE_STRIDE, AvatarTable.WIRE_STRIDE);
        int[] departed = new int[frame.departedCount()];
        for (int i = 0; i < departed.length; i++) {
            departed[i] = frame.departedEntity(i);
        }
        frames.computeIfAbsent(relay, any -> new ArrayList<>())
                .add(new SessionRelay.RelayedFrame(frame.observerAvatarId(), frame.lastAppliedInput(), wire, departed));
    }

    /**
     * Sends every batch, naming {@code origin} (this node's relay) as where the observers' inputs go; the next tick
     * starts new ones.
     */
    void flush(ActorRef<SessionRelay.Command> origin) {
        if (frames.isEmpty()) {
            return;
        }
        frames.forEach(
                (relay, batch) -> relay.tell(new SessionRelay.RelayedFrames(cell, origin, batch, names.get(relay))));
        frames = new HashMap<>();
        names = new HashMap<>();
    }
}

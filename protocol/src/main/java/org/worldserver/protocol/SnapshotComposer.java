package org.worldserver.protocol;

import java.util.function.IntPredicate;
import org.agrona.MutableDirectBuffer;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.SnapshotEncoder;

/**
 * The server side of one session's state sync: writes each tick's Snapshot datagram against the newest view the
 * client acknowledged ({@link #acknowledge}), or whole when that view is no longer held, and remembers the view
 * the client will have if it receives it ({@link SnapshotViews}). Snapshots may be lost: the client acknowledges
 * what it got, and the next snapshot refers to that. Not thread-safe: one per session, on the gateway's sender.
 */
public final class SnapshotComposer {

    /** Bytes of the Snapshot message before the departed group. */
    private static final int FIXED = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotEncoder.BLOCK_LENGTH;

    private final long sessionId;
    private final SnapshotViews views;
    private final EntityStateCodec codec = new EntityStateCodec();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotEncoder snapshot = new SnapshotEncoder();
    private final EntityStates sent = new EntityStates(64);
    private int[] departed = new int[64];
    private int ackedTick;
    /** Acknowledgements of snapshots before this one are ignored ({@link #restart}). */
    private int firstTick;

    /** @param viewsKept how many views to keep for baselines: acknowledgements older than this many ticks are useless */
    public SnapshotComposer(long sessionId, int viewsKept) {
        this.sessionId = sessionId;
        this.views = new SnapshotViews(viewsKept);
    }

    /**
     * The client applied snapshot {@code tick}; acknowledgements older than the newest, or from before the last
     * {@link #restart}, are ignored.
     */
    public void acknowledge(int tick) {
        if (Integer.compareUnsigned(tick, ackedTick) > 0 && Integer.compareUnsigned(tick, firstTick) >= 0) {
            ackedTick = tick;
        }
    }

    /**
     * The view starts afresh with snapshot {@code tick}: it and later snapshots are whole until the client
     * acknowledges one of them (for a change of region, where entity ids change meaning).
     */
    public void restart(int tick) {
        firstTick = tick;
        ackedTick = 0;
    }

    /**
     * Writes the Snapshot of {@code tick} into {@code out} at {@code offset} (at most {@link
     * ProtocolLimits#MAX_DATAGRAM_BYTES}): the baseline's entities for which {@code stillKnown} is false as
     * departed, then as many of {@code updates} (sorted by entity id) as fit.
     *
     * @return the datagram's length; {@link #sentCount()} says how many updates it holds
     */
    public int compose(
            int tick,
            long serverTimeMicros,
            int lastAppliedInput,
            long lastInputClientTimeMicros,
            EntityStates updates,
            IntPredicate stillKnown,
            MutableDirectBuffer out,
            int offset) {
        EntityStates baseline = views.view(ackedTick);
        int baselineTick = baseline == null ? 0 : ackedTick;
        int departedCount = 0;
        if (baseline != null) {
            for (int i = 0; i < baseline.size(); i++) {
                if (!stillKnown.test(baseline.entityId(i))) {
                    if (departedCount == departed.length) {
                        departed = java.util.Arrays.copyOf(departed, departedCount * 2);
                    }
                    departed[departedCount++] = baseline.entityId(i);
                }
            }
        }
        // Leaves first: a block cut short costs updates, never a departure (they are few: 4 bytes each).
        int maxDeparted = (ProtocolLimits.MAX_DATAGRAM_BYTES - FIXED - 4 - 2 - EntityStateCodec.HEADER_BYTES) / 4;
        departedCount = Math.min(departedCount, maxDeparted);
        snapshot.wrapAndApplyHeader(out, offset, header)
                .sessionId(sessionId)
                .serverTick(tick)
                .serverTimeMicros(serverTimeMicros)
                .lastAppliedInput(lastAppliedInput)
                .lastInputClientTimeMicros(lastInputClientTimeMicros)
                .baselineTick(baselineTick);
        SnapshotEncoder.DepartedEncoder group = snapshot.departedCount(departedCount);
        for (int i = 0; i < departedCount; i++) {
            group.next().entityId(departed[i]);
        }
        int blockAt = snapshot.limit() + SnapshotEncoder.entityStatesHeaderLength();
        int room = offset + ProtocolLimits.MAX_DATAGRAM_BYTES - blockAt;
        int written = codec.encode(updates, 0, baseline, out, blockAt, room);
        out.putShort(snapshot.limit(), (short) codec.encodedLength(), java.nio.ByteOrder.LITTLE_ENDIAN);
        sent.clear();
        for (int i = 0; i < written; i++) {
            sent.add(
                    updates.entityId(i),
                    updates.x(i),
                    updates.y(i),
                    updates.z(i),
                    updates.rotation(i),
                    updates.vx(i),
                    updates.vz(i));
        }
        views.store(tick, baseline, departed, departedCount, sent);
        return blockAt + codec.encodedLength() - offset;
    }

    /** Updates the last {@link #compose} put in its datagram (the first ones of {@code updates}). */
    public int sentCount() {
        return sent.size();
    }

    /** The view the client has after the snapshot of {@code tick}, if still held (for tests and diagnostics). */
    public EntityStates view(int tick) {
        return views.view(tick);
    }
}

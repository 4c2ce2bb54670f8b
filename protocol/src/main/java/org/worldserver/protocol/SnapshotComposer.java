package org.worldserver.protocol;

import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.agrona.MutableDirectBuffer;
import org.worldserver.protocol.sbe.EntityKind;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.SnapshotEncoder;

/**
 * The server side of one session's state sync: writes each tick's Snapshot datagram against the newest view the
 * client acknowledged ({@link #acknowledge}), or whole when that view is no longer held, and remembers the view
 * the client will have if it receives it ({@link SnapshotViews}). Snapshots may be lost: the client acknowledges
 * what it got, and the next snapshot refers to that. An entity whose state is sent but is not in the baseline view
 * is named in the same snapshot (its {@code entered} group), so a client never holds a state without its name.
 * Not thread-safe: one per session, used by one thread at a time.
 */
public final class SnapshotComposer {

    /** Bytes of the Snapshot message before the departed group. */
    private static final int FIXED = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotEncoder.BLOCK_LENGTH;

    /** Longest display name sent, in UTF-8 bytes (longer ones are cut). */
    public static final int MAX_NAME_BYTES = 64;

    /** Most of a datagram the names of entering entities may fill; entities beyond wait for the next snapshot. */
    private static final int NAME_BUDGET = 480;

    private static final byte[] NO_NAME = new byte[0];

    private final long sessionId;
    private final SnapshotViews views;
    private final EntityStateCodec codec = new EntityStateCodec();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotEncoder snapshot = new SnapshotEncoder();
    private final EntityStates sent = new EntityStates(64);
    private final EntityStates candidates = new EntityStates(64);
    private int[] entered = new int[16];
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
     * departed, the names of the updates' entities the baseline lacks (while they fit in the name budget: those
     * that do not are left for a later snapshot), then as many of those updates (sorted by entity id) as fit.
     *
     * @param nameOf the UTF-8 display name of an entity (called only for entities entering the client's view)
     * @return the datagram's length; {@link #sentCount()} says how many updates it holds
     */
    public int compose(
            int tick,
            long serverTimeMicros,
            int lastAppliedInput,
            long lastInputClientTimeMicros,
            EntityStates updates,
            IntPredicate stillKnown,
            IntFunction<byte[]> nameOf,
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
        int maxDeparted =
                (ProtocolLimits.MAX_DATAGRAM_BYTES - FIXED - 4 - 4 - NAME_BUDGET - 2 - EntityStateCodec.HEADER_BYTES)
                        / 4;
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
        // Entering entities, named while the names fit; the others wait (their state without a name would be useless).
        candidates.clear();
        int enteredCount = 0;
        int nameBytes = 0;
        for (int i = 0; i < updates.size(); i++) {
            int id = updates.entityId(i);
            if (baseline == null || baseline.indexOf(id) < 0) {
                int cost = SnapshotEncoder.EnteredEncoder.sbeBlockLength() + 2 + nameLength(nameOf.apply(id));
                if (nameBytes + cost > NAME_BUDGET) {
                    continue;
                }
                nameBytes += cost;
                if (enteredCount == entered.length) {
                    entered = java.util.Arrays.copyOf(entered, enteredCount * 2);
                }
                entered[enteredCount++] = id;
            }
            candidates.add(
                    id, updates.x(i), updates.y(i), updates.z(i), updates.rotation(i), updates.vx(i), updates.vz(i));
        }
        SnapshotEncoder.EnteredEncoder names = snapshot.enteredCount(enteredCount);
        for (int i = 0; i < enteredCount; i++) {
            byte[] name = nameOf.apply(entered[i]);
            if (name == null) {
                name = NO_NAME;
            }
            names.next().entityId(entered[i]).kind(EntityKind.AVATAR).putDisplayName(name, 0, nameLength(name));
        }
        int blockAt = snapshot.limit() + SnapshotEncoder.entityStatesHeaderLength();
        int room = offset + ProtocolLimits.MAX_DATAGRAM_BYTES - blockAt;
        int written = codec.encode(candidates, 0, baseline, out, blockAt, room);
        out.putShort(snapshot.limit(), (short) codec.encodedLength(), java.nio.ByteOrder.LITTLE_ENDIAN);
        sent.clear();
        for (int i = 0; i < written; i++) {
            sent.add(
                    candidates.entityId(i),
                    candidates.x(i),
                    candidates.y(i),
                    candidates.z(i),
                    candidates.rotation(i),
                    candidates.vx(i),
                    candidates.vz(i));
        }
        views.store(tick, baseline, departed, departedCount, sent);
        return blockAt + codec.encodedLength() - offset;
    }

    /** Updates the last {@link #compose} put in its datagram. */
    public int sentCount() {
        return sent.size();
    }

    private static int nameLength(byte[] name) {
        return name == null ? 0 : Math.min(name.length, MAX_NAME_BYTES);
    }

    /** The view the client has after the snapshot of {@code tick}, if still held (for tests and diagnostics). */
    public EntityStates view(int tick) {
        return views.view(tick);
    }
}

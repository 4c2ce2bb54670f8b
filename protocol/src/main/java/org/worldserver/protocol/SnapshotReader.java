package org.worldserver.protocol;

import org.agrona.DirectBuffer;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.SnapshotDecoder;

/**
 * The client side of one session's state sync: applies each Snapshot datagram to the view it was encoded against
 * and keeps the resulting views, so that later snapshots can refer to any of them ({@link SnapshotViews}), and reads
 * the names of the entities entering the view ({@link #enteredCount()}). The caller acknowledges each snapshot
 * applied (the SDK sends an Ack). Not thread-safe.
 */
public final class SnapshotReader {

    /** How applying a snapshot ended. */
    public enum Result {
        APPLIED,
        /** Its baseline view is not held here (older than the views kept): wait for a whole snapshot. */
        MISSING_BASELINE,
        /** The entity block is malformed ({@link #blockOutcome()} says how). */
        MALFORMED,
        /** Not newer than the newest snapshot applied (a duplicate or late datagram). */
        STALE
    }

    private final SnapshotViews views;
    private final EntityStateCodec codec = new EntityStateCodec();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SnapshotDecoder snapshot = new SnapshotDecoder();
    private final EntityStates block = new EntityStates(64);
    private int[] departed = new int[64];
    private int[] enteredIds = new int[16];
    private String[] enteredNames = new String[16];
    private int enteredCount;
    private byte[] nameScratch = new byte[SnapshotComposer.MAX_NAME_BYTES];
    private int newestTick;
    private EntityStateCodec.Outcome blockOutcome = EntityStateCodec.Outcome.OK;
    private EntityStates current;

    /** @param viewsKept at least the server's, so every baseline the server may use is here */
    public SnapshotReader(int viewsKept) {
        this.views = new SnapshotViews(viewsKept);
    }

    /**
     * Applies the Snapshot datagram at {@code offset} ({@link DatagramCheck} must have accepted it). On APPLIED,
     * {@link #view()} is the client's view after it and {@link #tick()} its server tick.
     */
    public Result apply(DirectBuffer datagram, int offset) {
        snapshot.wrapAndApplyHeader(datagram, offset, header);
        int tick = (int) snapshot.serverTick();
        if (newestTick != 0 && Integer.compareUnsigned(tick, newestTick) <= 0) {
            return Result.STALE;
        }
        int baselineTick = (int) snapshot.baselineTick();
        EntityStates baseline = views.view(baselineTick);
        if (baselineTick != 0 && baseline == null) {
            return Result.MISSING_BASELINE;
        }
        int departedCount = 0;
        for (SnapshotDecoder.DepartedDecoder d : snapshot.departed()) {
            if (departedCount == departed.length) {
                departed = java.util.Arrays.copyOf(departed, departedCount * 2);
            }
            departed[departedCount++] = d.entityId();
        }
        int entering = 0;
        for (SnapshotDecoder.EnteredDecoder e : snapshot.entered()) {
            if (entering == enteredIds.length) {
                enteredIds = java.util.Arrays.copyOf(enteredIds, entering * 2);
                enteredNames = java.util.Arrays.copyOf(enteredNames, entering * 2);
            }
            enteredIds[entering] = e.entityId();
            int length = e.displayNameLength();
            if (length > nameScratch.length) {
                nameScratch = new byte[length];
            }
            e.getDisplayName(nameScratch, 0, length);
            enteredNames[entering++] = new String(nameScratch, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        }
        int length = snapshot.entityStatesLength();
        int at = snapshot.limit() + SnapshotDecoder.entityStatesHeaderLength();
        blockOutcome = codec.decode(datagram, at, length, baseline, block);
        if (blockOutcome != EntityStateCodec.Outcome.OK) {
            return Result.MALFORMED;
        }
        current = views.store(tick, baseline, departed, departedCount, block);
        newestTick = tick;
        enteredCount = entering;
        return Result.APPLIED;
    }

    /** The view after the newest snapshot applied (null before any); valid until more are applied. */
    public EntityStates view() {
        return current;
    }

    /** Server tick of the newest snapshot applied, 0 before any. */
    public int tick() {
        return newestTick;
    }

    /** Entities the newest snapshot applied named (those entering the view), in its order. */
    public int enteredCount() {
        return enteredCount;
    }

    public int enteredEntity(int i) {
        return enteredIds[i];
    }

    /** The display name of the i-th entering entity. */
    public String enteredName(int i) {
        return enteredNames[i];
    }

    public EntityStateCodec.Outcome blockOutcome() {
        return blockOutcome;
    }
}

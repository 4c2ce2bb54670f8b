package org.worldserver.shard.gateway;

import io.aeron.Publication;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Offers;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.SnapshotComposer;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.world.FrameView;

/**
 * One session's outbound state sync: turns each frame the avatar's cell computes for it into a Snapshot datagram
 * (a delta against the newest view the client acknowledged, {@link SnapshotComposer}: entities entering the
 * client's view are named in it) and offers it on the session's reply publication.
 *
 * <p>Every snapshot carries the observer's own state too (outside the interest budget): the client reconciles its
 * prediction with it.
 *
 * <p><b>What the client knows.</b> {@code known} holds the entities in the avatar's area of interest as its cell
 * reported them (updates add, departures remove); a baseline entity no longer known is sent as departed. Snapshot
 * numbers count per session (the Snapshot's {@code serverTick}), so they keep increasing when the avatar walks
 * into a cell with another tick counter. After such a crossing the new cell reports only what it tracks: entities
 * it has not sent within {@code crossingGrace} snapshots are treated as departed (the new cell sends newcomers
 * first, so a neighbour still in range is confirmed within a few ticks). Entering another region starts the view
 * afresh (entity ids are per region): the next snapshot is whole.
 *
 * <p><b>Threading.</b> {@link #onFrame} runs on the thread of whichever cell ticks the avatar (or of the node's
 * {@link SessionRelay}, for a cell on another node), at most one at a time: a try-lock, so a frame that arrives
 * while another is being encoded is dropped and counted, never waited for. {@link #acknowledge}, {@link
 * #inputReceived}, {@link #rebind} and {@link #close} run on the gateway's receiver and touch only atomics and
 * volatiles. No allocation per frame once warm, except an entity's name the first time the session sees it.
 */
public final class SessionStream {

    /** Input sequence numbers remembered with their client times (a power of two). */
    private static final int INPUT_TIMES = 64;

    /** Entities a session's tables hold without growing: twice a crowd's worth in range (64), at half load. */
    private static final int KNOWN_CAPACITY = 256;

    private final long sessionId;
    private final String avatarId;
    private final int crossingGrace;
    private final SnapshotComposer composer;
    private final SessionStreams.Counters counters;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger acked = new AtomicInteger();
    /** Pairs (sequence, client time µs) by sequence modulo {@link #INPUT_TIMES}; sequence written last. */
    private final AtomicLongArray inputTimes = new AtomicLongArray(INPUT_TIMES * 2);

    private volatile Publication reply;
    private volatile boolean closed;
    private volatile CellId cell;
    /** The relay of the node whose cell sent the last frame; null when that cell runs on this node. */
    private volatile ActorRef<SessionRelay.Command> cellRelay;

    // Owned by the cell thread holding {@link #busy}.
    private final Int2IntHashMap known = new Int2IntHashMap(KNOWN_CAPACITY, 0.5f, -1);
    private final IntPredicate stillKnown = known::containsKey;
    /** UTF-8 names of the known entities. */
    private final Int2ObjectHashMap<byte[]> names = new Int2ObjectHashMap<>(KNOWN_CAPACITY, 0.5f);

    private final IntFunction<byte[]> nameOf = names::get;
    private final EntityStates updates = new EntityStates(64);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private long[] order = new long[64];
    private int[] unconfirmed = new int[64];
    private int snapshot;
    private String region;
    private int crossedAt;

    /**
     * @param viewsKept views kept for delta baselines ({@code world.gateway.snapshot-views})
     * @param crossingGrace snapshots after a cell crossing within which the new cell must confirm an entity
     */
    SessionStream(
            long sessionId,
            String avatarId,
            Publication reply,
            int viewsKept,
            int crossingGrace,
            SessionStreams.Counters counters) {
        this.sessionId = sessionId;
        this.avatarId = avatarId;
        this.reply = reply;
        this.crossingGrace = crossingGrace;
        this.composer = new SnapshotComposer(sessionId, viewsKept);
        this.counters = counters;
    }

    public long sessionId() {
        return sessionId;
    }

    public String avatarId() {
        return avatarId;
    }

    /** The cell that last ticked the avatar, or null before its first frame; any thread. */
    public CellId cell() {
        return cell;
    }

    /**
     * The relay of the node that ran the cell of the last frame (where this session's inputs go), or null when it
     * is this node or before the first frame; any thread. Written just before {@link #cell()}, so the two may be a
     * frame apart when read together around a crossing or a move: an input sent to the other node still reaches the
     * cell, through that node's shard region.
     */
    public ActorRef<SessionRelay.Command> cellRelay() {
        return cellRelay;
    }

    /** The client applied snapshot {@code number}; receiver thread. */
    void acknowledge(int number) {
        acked.accumulateAndGet(number, (old, n) -> Integer.compareUnsigned(n, old) > 0 ? n : old);
    }

    /** An input passed the session's guards; its client time is echoed once a tick has applied it. */
    void inputReceived(int sequence, long clientTimeMicros) {
        int i = (sequence & (INPUT_TIMES - 1)) * 2;
        inputTimes.set(i, -1);
        inputTimes.set(i + 1, clientTimeMicros);
        inputTimes.set(i, sequence & 0xFFFF_FFFFL);
    }

    /** Replies go to {@code publication} from now on (the client resumed from another address). */
    void rebind(Publication publication) {
        this.reply = publication;
    }

    /** No more datagrams: the session ended. */
    void close() {
        closed = true;
    }

    /**
     * Encodes and offers the datagrams of one frame of the avatar's cell {@code from}; a cell thread, or the relay's.
     *
     * @param origin the relay of the node {@code from} runs on, or null for this node
     */
    void onFrame(FrameView frame, CellId from, ActorRef<SessionRelay.Command> origin) {
        if (closed) {
            return;
        }
        if (!busy.compareAndSet(false, true)) {
            counters.contended.increment();
            return;
        }
        try {
            cellRelay = origin; // every frame: a shard that moved keeps its cell's id but changes node
            send(frame, from);
        } finally {
            busy.set(false);
        }
    }

    private void send(FrameView frame, CellId from) {
        snapshot++;
        if (!from.equals(cell)) {
            if (cell != null && !from.region().equals(region)) {
                known.clear();
                names.clear();
                composer.restart(snapshot);
            } else if (cell != null) {
                crossedAt = snapshot;
            }
            region = from.region();
            cell = from;
        }
        for (int i = 0; i < frame.departedCount(); i++) {
            forget(frame.departedEntity(i));
        }
        if (crossedAt != 0 && snapshot - crossedAt >= crossingGrace) {
            forgetUnconfirmed();
        }
        int n = sortUpdates(frame);
        int[] wire = frame.wire();
        for (int k = 0; k <= n; k++) {
            int i = (int) order[k];
            boolean own = i == n;
            int o = own ? frame.ownWireOffset() : frame.updateWireOffset(i);
            int entity = wire[o];
            if (known.put(entity, snapshot) == -1) {
                String name = own ? frame.observerAvatarId() : frame.updateAvatarId(i);
                names.put(entity, name.getBytes(StandardCharsets.UTF_8));
            }
            updates.add(entity, wire[o + 1], wire[o + 2], wire[o + 3], wire[o + 4], wire[o + 5], wire[o + 6]);
        }
        composer.acknowledge(acked.get());
        int applied = Math.max(0, frame.lastAppliedInput()); // on the wire, 0 means none yet
        int length = composer.compose(
                snapshot,
                System.currentTimeMillis() * 1000,
                applied,
                clientTimeOf(applied),
                updates,
                stillKnown,
                nameOf,
                out,
                0);
        offer(reply, length);
    }

    private void forget(int entity) {
        known.remove(entity);
        names.remove(entity);
    }

    /**
     * Fills {@code order} with the frame's n updates and, as index n, the observer's own state, sorted by entity id
     * (EntityStates needs them sorted); returns n.
     */
    private int sortUpdates(FrameView frame) {
        int n = frame.updateCount();
        if (order.length < n + 1) {
            order = new long[Math.max(n + 1, order.length * 2)];
        }
        int[] wire = frame.wire();
        for (int i = 0; i < n; i++) {
            order[i] = ((long) wire[frame.updateWireOffset(i)] << 32) | i;
        }
        order[n] = ((long) wire[frame.ownWireOffset()] << 32) | n;
        Arrays.sort(order, 0, n + 1);
        updates.clear();
        return n;
    }

    /** The crossing's grace is over: what the new cell has not sent since is gone from the client's view. */
    private void forgetUnconfirmed() {
        int count = 0;
        Int2IntHashMap.KeyIterator keys = known.keySet().iterator();
        while (keys.hasNext()) {
            int entity = keys.nextValue();
            if (known.get(entity) < crossedAt) {
                if (count == unconfirmed.length) {
                    unconfirmed = Arrays.copyOf(unconfirmed, count * 2);
                }
                unconfirmed[count++] = entity;
            }
        }
        for (int i = 0; i < count; i++) {
            forget(unconfirmed[i]);
        }
        crossedAt = 0;
    }

    private long clientTimeOf(int sequence) {
        if (sequence < 0) {
            return 0;
        }
        int i = (sequence & (INPUT_TIMES - 1)) * 2;
        long seen = inputTimes.get(i);
        long time = inputTimes.get(i + 1);
        return seen == (sequence & 0xFFFF_FFFFL) && inputTimes.get(i) == seen ? time : 0;
    }

    private void offer(Publication publication, int length) {
        long result = Offers.offer(publication, out, 0, length);
        if (result > 0) {
            counters.datagrams.increment();
            counters.bytes.add(length);
        } else {
            counters.unsent.increment();
        }
    }
}

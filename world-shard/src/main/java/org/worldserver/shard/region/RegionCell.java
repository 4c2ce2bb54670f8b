package org.worldserver.shard.region;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.shard.attention.AttentionBatch;
import org.worldserver.shard.world.AvatarTable;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.CellTelemetry;
import org.worldserver.shard.world.LiveAvatar;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.RegionBounds;

/**
 * One cell of a region as a sharded actor (entity id {@link CellId#entityId()}): it owns the live simulation of
 * the avatars whose position lies in its square, runs their ticks, hands them over when they leave it, and sends
 * its neighbours the ghosts of the avatars near their border.
 *
 * <pre>
 * Join(avatar, x, y, z) → Joined(entity id, cell) | error       Leave(avatar) → Done | error
 * Input(avatar, seq, intent, focus)  (no reply: the hot path)   Teleport(avatar, x, y, z) → Done | error
 * Travel(avatar, region, x, y, z) → Done once the other region holds it | error
 * Evacuate(fallback) → Evacuated: every avatar handed to the fallback region; the cell refuses joins from then
 * GetStatus → CellStatus      Locate(avatar) → Location
 * </pre>
 *
 * <b>Handover</b> (also between regions and nodes; the destination is addressed through Cluster Sharding):
 * after a tick, every avatar now outside this cell leaves the simulation and goes into {@code outgoing} with a
 * transfer id unique to this cell incarnation, and a {@link HandoverOffer} carries its whole live state to the
 * cell that owns its position. The offer is re-sent every {@code world.cells.handover-retry} until answered.
 * The destination admits it, or answers {@link HandoverRefused} when it cannot take it (full, closed) and the
 * source takes the avatar back at the nearest point of its own square. Either way the destination remembers its
 * answer by transfer id for {@code world.cells.handover-dedup-window} and gives a repeated offer the same answer:
 * never admitted twice, and never admitted after the source was told no.
 * At every moment an avatar is owned by at most one cell, and an avatar in flight stays in {@code outgoing} of
 * its source until a destination owns it: nothing is duplicated or lost while the cells run. Inputs, leaves and
 * teleports that reach the source while the avatar is in flight or just gone are forwarded to the destination.
 *
 * <p><b>Ticking.</b> One single-shot timer at a time, aimed at {@code previous + period}; a late tick runs the
 * next one at once without catching up, and the cell reports the slowdown as dilation.
 *
 * <p><b>Lifecycle.</b> The cell reads its region from the {@link RegionRegistry} when it starts (messages wait
 * meanwhile). A region that is unknown or closed gives a closed cell that refuses everything. On the sharding
 * stop message (rebalance, node leaving) the cell offers its avatars to its own entity id, which sharding
 * delivers to the cell's next incarnation; this hand-off is best effort until the re-balancer (issue #8) tests it.
 */
public final class RegionCell extends AbstractBehavior<RegionCell.Command> {

    public sealed interface Command extends CborSerializable {}

    public record Join(String avatarId, float x, float y, float z, ActorRef<StatusReply<Joined>> replyTo)
            implements Command {}

    /**
     * @param entityId the avatar's compact id in this region, used on the wire
     * @param cell entity id of the cell that owns it now
     */
    public record Joined(int entityId, String cell) implements CborSerializable {}

    public record Leave(String avatarId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** One client input: intent on the ground plane (length ≤ 1 = fraction of max speed), focus direction. */
    public record Input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ)
            implements Command {}

    public record Teleport(String avatarId, float x, float y, float z, ActorRef<StatusReply<Done>> replyTo)
            implements Command {}

    /** Moves an avatar to (x, y, z) in another region, which must be open. */
    public record Travel(
            String avatarId,
            RegionDefinition destination,
            float x,
            float y,
            float z,
            ActorRef<StatusReply<Done>> replyTo)
            implements Command {}

    /** Closes the cell: every avatar goes to {@code fallback}; answered once none is left in flight. */
    public record Evacuate(RegionDefinition fallback, ActorRef<Evacuated> replyTo) implements Command {}

    /**
     * @param moved avatars handed to the fallback region
     * @param remaining avatars still here because the fallback refused them (a repeated Evacuate tries again)
     */
    public record Evacuated(String cell, int moved, int remaining) implements CborSerializable {}

    public record GetStatus(ActorRef<CellStatus> replyTo) implements Command {}

    /**
     * @param closed true when the region is closed (or unknown) and the cell refuses joins
     * @param node the address of the node the cell runs on, e.g. {@code pekko://world@127.0.0.1:25520}
     */
    public record CellStatus(
            String cell, String region, boolean closed, int inFlight, CellTelemetry telemetry, String node)
            implements CborSerializable {}

    /** Where an avatar is right now, if this cell owns it. */
    public record Locate(String avatarId, ActorRef<Location> replyTo) implements Command {}

    /**
     * An avatar's live state; {@code present} false (and the rest zero) when this cell does not own it.
     *
     * @param x metres east, {@code y} up, {@code z} north, relative to the region's origin
     * @param vx velocity east, m/s; {@code vz} north
     * @param lastInput sequence number of the last input applied, -1 if none
     */
    public record Location(
            String region,
            String cell,
            boolean present,
            int entityId,
            float x,
            float y,
            float z,
            float vx,
            float vz,
            int lastInput)
            implements CborSerializable {

        static Location absent(CellId cell) {
            return new Location(cell.region(), cell.entityId(), false, AvatarTable.NONE, 0, 0, 0, 0, 0, -1);
        }
    }

    /**
     * A live avatar moving into the receiving cell from cell {@code from}; answered with HandoverAccepted or
     * HandoverRefused.
     */
    public record HandoverOffer(String transferId, LiveAvatar avatar, CellId from, ActorRef<Command> replyTo)
            implements Command {}

    /** @param entityId the avatar's entity id in the destination (new when it changed region) */
    public record HandoverAccepted(String transferId, String avatarId, String cell, int entityId) implements Command {}

    public record HandoverRefused(String transferId, String avatarId, String reason) implements Command {}

    /**
     * The avatars of cell {@code fromIndex} within an area-of-interest radius of the receiver's border, replacing
     * the previous batch from that cell. {@code states} holds 7 floats per avatar: x, y, z, vx, vz, focusX,
     * focusZ.
     */
    public record Ghosts(int fromIndex, String[] avatarIds, int[] entityIds, float[] states) implements Command {}

    /**
     * Settles now and replies once every pending batch is stored, or once storing has failed (the node is going
     * down: the failure is logged). Sent by CoordinatedShutdown to the cells of this node.
     */
    public record Flush(ActorRef<Done> replyTo) implements Command {}

    /** The sharding stop message: hand the avatars to the next incarnation, then stop. */
    public enum Stop implements Command {
        INSTANCE
    }

    private enum Tick implements Command {
        INSTANCE
    }

    private enum Settle implements Command {
        INSTANCE
    }

    private enum Housekeeping implements Command {
        INSTANCE
    }

    private enum LookupAgain implements Command {
        INSTANCE
    }

    private record RegionLoaded(Optional<RegionRegistry.RegionRecord> record, Throwable failure) implements Command {}

    /** Outcome of recording the oldest pending batch. */
    private record Settled(String batchId, Throwable failure) implements Command {}

    /** Records one batch durably; completes when it is stored (a retry of a stored batch must also complete). */
    @FunctionalInterface
    public interface AttentionSettlement {
        CompletionStage<Done> record(AttentionBatch batch);
    }

    /** How a cell reaches another cell, by id, wherever it runs (Cluster Sharding in production). */
    @FunctionalInterface
    public interface CellPeers {
        void tell(CellId cell, Command message);
    }

    /** Where a cell reports its avatars' positions for the persistent record (the Avatar entity). */
    public interface PositionRecorder {
        /** The avatar is at (x, y, z) in {@code region}; the record keeps at most one per its interval. */
        void checkpoint(String avatarId, String region, float x, float y, float z);

        /** The avatar now is at (x, y, z) in {@code region}, another region than before. */
        void regionChanged(String avatarId, String region, float x, float y, float z);
    }

    /** Finds a region's record in the registry (empty: no such region). */
    @FunctionalInterface
    public interface RegionLookup {
        CompletionStage<Optional<RegionRegistry.RegionRecord>> find(String region);
    }

    private enum Kind {
        /** Walked or teleported into another cell of the region. */
        MOVE,
        TRAVEL,
        EVACUATE
    }

    /** An avatar in flight: owned by no cell until the destination accepts. */
    private static final class Transfer {
        final String transferId;
        final Kind kind;
        final LiveAvatar original;
        final LiveAvatar offered;
        final CellId destination;
        final ActorRef<StatusReply<Done>> replyTo;
        long lastSentNanos;

        Transfer(
                String transferId,
                Kind kind,
                LiveAvatar original,
                LiveAvatar offered,
                CellId destination,
                ActorRef<StatusReply<Done>> replyTo) {
            this.transferId = transferId;
            this.kind = kind;
            this.original = original;
            this.offered = offered;
            this.destination = destination;
            this.replyTo = replyTo;
        }
    }

    private record Forward(CellId destination, long untilNanos) {}

    /** The answer given to a transfer, replayed to any repeat of its offer. */
    private record Answered(Command answer, long atNanos) {}

    /** Per-neighbour buffer of the ghosts to send after a tick; reused. */
    private static final class GhostBuffer {
        String[] ids = new String[16];
        int[] entities = new int[16];
        float[] states = new float[16 * 7];
        int count;
        boolean sentNonEmpty;

        void add(AvatarTable t, int slot) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                entities = Arrays.copyOf(entities, count * 2);
                states = Arrays.copyOf(states, count * 2 * 7);
            }
            ids[count] = t.avatarId[slot];
            entities[count] = t.entityId[slot];
            int o = count * 7;
            states[o] = t.x[slot];
            states[o + 1] = t.y[slot];
            states[o + 2] = t.z[slot];
            states[o + 3] = t.vx[slot];
            states[o + 4] = t.vz[slot];
            states[o + 5] = t.focusX[slot];
            states[o + 6] = t.focusZ[slot];
            count++;
        }
    }

    // ---------------------------------------------------------------- creation

    public static Behavior<Command> create(CellId id, RegionLookup lookup, CellEnvironment env) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000, stash -> {
            ctx.pipeToSelf(lookup.find(id.region()), RegionLoaded::new);
            return loading(ctx, timers, stash, id, lookup, env);
        })));
    }

    private static Behavior<Command> loading(
            ActorContext<Command> ctx,
            TimerScheduler<Command> timers,
            StashBuffer<Command> stash,
            CellId id,
            RegionLookup lookup,
            CellEnvironment env) {
        return Behaviors.receive(Command.class)
                .onMessage(RegionLoaded.class, loaded -> {
                    if (loaded.failure() != null) {
                        ctx.getLog().warn("Cell {}: region not read yet ({}); retrying", id, loaded.failure());
                        ctx.scheduleOnce(Duration.ofSeconds(1), ctx.getSelf(), LookupAgain.INSTANCE);
                        return Behaviors.same();
                    }
                    Optional<RegionRegistry.RegionRecord> record = loaded.record();
                    Behavior<Command> next;
                    if (record.isPresent()
                            && record.get().open()
                            && new CellLayout(record.get().definition()).isInside(id)) {
                        next = new RegionCell(ctx, timers, id, record.get().definition(), env);
                    } else {
                        next = closed(ctx, id);
                    }
                    return stash.unstashAll(next);
                })
                .onMessage(LookupAgain.class, again -> {
                    ctx.pipeToSelf(lookup.find(id.region()), RegionLoaded::new);
                    return Behaviors.same();
                })
                .onMessage(Stop.class, stop -> Behaviors.stopped())
                .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                })
                .build();
    }

    /** A cell of a region that is closed, unknown, or does not have this cell: refuses everything, no ticks. */
    private static Behavior<Command> closed(ActorContext<Command> ctx, CellId id) {
        String why = "region-closed: region " + id.region() + " is closed or does not exist (cell " + id + ")";
        return Behaviors.receive(Command.class)
                .onMessage(Join.class, m -> reply(m.replyTo(), StatusReply.error(why)))
                .onMessage(Leave.class, m -> reply(m.replyTo(), StatusReply.error(why)))
                .onMessage(Teleport.class, m -> reply(m.replyTo(), StatusReply.error(why)))
                .onMessage(Travel.class, m -> reply(m.replyTo(), StatusReply.error(why)))
                .onMessage(
                        HandoverOffer.class,
                        m -> reply(
                                m.replyTo(),
                                new HandoverRefused(m.transferId(), m.avatar().avatarId(), why)))
                .onMessage(Evacuate.class, m -> reply(m.replyTo(), new Evacuated(id.entityId(), 0, 0)))
                .onMessage(Locate.class, m -> reply(m.replyTo(), Location.absent(id)))
                .onMessage(
                        GetStatus.class,
                        m -> reply(
                                m.replyTo(),
                                new CellStatus(
                                        id.entityId(),
                                        id.region(),
                                        true,
                                        0,
                                        new CellTelemetry(0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
                                        ctx.getSystem().address().toString())))
                .onMessage(Flush.class, m -> reply(m.replyTo(), Done.getInstance()))
                .onMessage(Stop.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private static <T> Behavior<Command> reply(ActorRef<T> to, T message) {
        to.tell(message);
        return Behaviors.same();
    }

    // ---------------------------------------------------------------- running

    private final CellId id;
    private final CellLayout layout;
    private final RegionDefinition definition;
    private final RegionBounds area;
    private final CellEnvironment env;
    private final CellSimulation cell;
    private final TimerScheduler<Command> timers;
    private final long periodNanos;
    private final int ticksPerPublish;
    private final int cellIndex;
    private final String incarnation =
            Long.toHexString(ThreadLocalRandom.current().nextLong());
    private long nextDeadline;
    private int nextEntitySerial;
    private long transferSerial;

    private final Map<String, Transfer> outgoing = new LinkedHashMap<>();
    private final Map<String, Forward> forwards = new HashMap<>();
    /** Transfer id → the answer this cell gave it, kept for the dedup window. */
    private final Map<String, Answered> answered = new HashMap<>();

    private final GhostBuffer[] ghostsOut = new GhostBuffer[8];
    private final CellId[] neighbours = new CellId[8];
    private final Map<Integer, Long> ghostsHeardAt = new HashMap<>();
    private long ghostBatches;

    private int checkpointCursor;
    /** Ticks in one checkpoint interval: each tick reports 1/ticksPerCheckpointRound of the avatars. */
    private final double ticksPerCheckpointRound;

    private double checkpointCredit;

    private boolean closing;
    private RegionDefinition fallback;
    private final List<ActorRef<Evacuated>> evacuationWaiters = new ArrayList<>();
    private int evacuated;

    /** Batches drained but not yet stored, oldest first; one is in flight at a time. */
    private final ArrayDeque<AttentionBatch> pending = new ArrayDeque<>();

    private boolean settling;
    private final List<ActorRef<Done>> flushWaiters = new ArrayList<>();
    private Instant periodStart = Instant.now();

    private RegionCell(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            CellId id,
            RegionDefinition definition,
            CellEnvironment env) {
        super(context);
        this.id = id;
        this.definition = definition;
        this.layout = new CellLayout(definition);
        this.area = layout.boundsOf(id);
        this.cellIndex = layout.index(id);
        this.env = env;
        this.timers = timers;
        this.cell = new CellSimulation(
                new MovementRules(definition.bounds(), definition.maxSpeed(), definition.teleportAllowed()),
                layout.areaOf(id),
                env.interest(),
                definition.tickHz(),
                definition.capacity(),
                definition.maxCandidates(),
                System::nanoTime,
                env.sinks().apply(id));
        for (int k = 0; k < 8; k++) {
            neighbours[k] = layout.neighbour(id, k);
            ghostsOut[k] = new GhostBuffer();
        }
        this.periodNanos = (long) (1e9 / definition.tickHz());
        this.ticksPerPublish = Math.max(1, Math.round(definition.tickHz()));
        this.ticksPerCheckpointRound = Math.max(1, env.checkpointInterval().toMillis() / 1000.0 * definition.tickHz());
        this.nextDeadline = System.nanoTime() + periodNanos;
        env.directory().cellStarted(id, context.getSelf());
        env.directory().publish(id, cell.telemetry());
        timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(periodNanos));
        timers.startTimerAtFixedRate(Settle.INSTANCE, env.settlementPeriod());
        timers.startTimerAtFixedRate(Housekeeping.INSTANCE, env.handoverRetry());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(Input.class, this::onInput)
                .onMessage(Ghosts.class, this::onGhosts)
                .onMessage(HandoverOffer.class, this::onOffer)
                .onMessage(HandoverAccepted.class, this::onAccepted)
                .onMessage(HandoverRefused.class, this::onRefused)
                .onMessage(Join.class, this::onJoin)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Teleport.class, this::onTeleport)
                .onMessage(Travel.class, this::onTravel)
                .onMessage(Evacuate.class, this::onEvacuate)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(Locate.class, this::onLocate)
                .onMessageEquals(Housekeeping.INSTANCE, this::onHousekeeping)
                .onMessageEquals(Settle.INSTANCE, this::onSettle)
                .onMessage(Settled.class, this::onSettled)
                .onMessage(Flush.class, this::onFlush)
                .onMessageEquals(Stop.INSTANCE, this::onStop)
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
                    env.directory().cellStopped(id, getContext().getSelf());
                    return this;
                })
                .build();
    }

    // ---------------------------------------------------------------- tick

    private Behavior<Command> onTick() {
        cell.tick();
        handOverExits();
        sendGhosts();
        checkpointSome();
        if (cell.ticks() % ticksPerPublish == 0) {
            env.directory().publish(id, cell.telemetry());
        }
        long now = System.nanoTime();
        nextDeadline += periodNanos;
        if (nextDeadline <= now) {
            nextDeadline = now; // late: run the next tick at once, and do not try to catch up
        }
        timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(nextDeadline - now));
        return this;
    }

    private void handOverExits() {
        int exits = cell.exitCount();
        if (exits == 0) {
            return;
        }
        LiveAvatar[] leaving = new LiveAvatar[exits];
        for (int i = 0; i < exits; i++) {
            leaving[i] = cell.export(cell.exitSlot(i));
        }
        for (LiveAvatar a : leaving) {
            cell.leave(a.avatarId());
            startTransfer(Kind.MOVE, a, a, layout.cellAt(a.x(), a.z()), null);
        }
    }

    private void startTransfer(
            Kind kind, LiveAvatar original, LiveAvatar offered, CellId destination, ActorRef<StatusReply<Done>> to) {
        String transferId = id.entityId() + "#" + incarnation + "#" + (++transferSerial);
        Transfer t = new Transfer(transferId, kind, original, offered, destination, to);
        outgoing.put(original.avatarId(), t);
        sendOffer(t);
    }

    private void sendOffer(Transfer t) {
        t.lastSentNanos = System.nanoTime();
        env.peers()
                .tell(
                        t.destination,
                        new HandoverOffer(
                                t.transferId, t.offered, id, getContext().getSelf()));
    }

    /** Sends each neighbour the avatars within an area-of-interest radius of its border (and an empty batch once). */
    private void sendGhosts() {
        float radius = env.interest().aoiRadius();
        AvatarTable t = cell.table();
        for (int i = 0; i < t.size(); i++) {
            int slot = t.liveSlot(i);
            if (cell.isGhost(slot)) {
                continue;
            }
            int mask = layout.neighboursNear(id, t.x[slot], t.z[slot], radius);
            while (mask != 0) {
                int k = Integer.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                ghostsOut[k].add(t, slot);
            }
        }
        for (int k = 0; k < 8; k++) {
            GhostBuffer b = ghostsOut[k];
            if (neighbours[k] != null && (b.count > 0 || b.sentNonEmpty)) {
                env.peers()
                        .tell(
                                neighbours[k],
                                new Ghosts(
                                        cellIndex,
                                        Arrays.copyOf(b.ids, b.count),
                                        Arrays.copyOf(b.entities, b.count),
                                        Arrays.copyOf(b.states, b.count * 7)));
                b.sentNonEmpty = b.count > 0;
            }
            Arrays.fill(b.ids, 0, b.count, null);
            b.count = 0;
        }
    }

    private Behavior<Command> onGhosts(Ghosts g) {
        long stamp = ++ghostBatches;
        float[] s = g.states();
        for (int i = 0; i < g.avatarIds().length; i++) {
            int o = i * 7;
            cell.upsertGhost(
                    g.avatarIds()[i],
                    g.entityIds()[i],
                    s[o],
                    s[o + 1],
                    s[o + 2],
                    s[o + 3],
                    s[o + 4],
                    s[o + 5],
                    s[o + 6],
                    g.fromIndex(),
                    stamp);
        }
        cell.dropGhostsFrom(g.fromIndex(), stamp);
        ghostsHeardAt.put(g.fromIndex(), System.nanoTime());
        return this;
    }

    /** Reports a slice of the owned avatars' positions, so each is reported about once per checkpoint interval. */
    private void checkpointSome() {
        AvatarTable t = cell.table();
        int n = t.size();
        checkpointCredit += n / ticksPerCheckpointRound;
        int due = (int) Math.min(n, checkpointCredit);
        checkpointCredit -= due;
        for (int k = 0; k < due; k++) {
            checkpointCursor = (checkpointCursor + 1) % n;
            int slot = t.liveSlot(checkpointCursor);
            if (!cell.isGhost(slot)) {
                env.positions().checkpoint(t.avatarId[slot], id.region(), t.x[slot], t.y[slot], t.z[slot]);
            }
        }
    }

    // ---------------------------------------------------------------- handover

    private Behavior<Command> onOffer(HandoverOffer offer) {
        String avatarId = offer.avatar().avatarId();
        Answered before = answered.get(offer.transferId());
        if (before != null) {
            // A repeat: the same answer again. Re-deciding could admit an avatar its source took back after a
            // refusal, and then two cells would own it.
            offer.replyTo().tell(before.answer());
            return this;
        }
        if (closing) {
            return answer(
                    offer,
                    new HandoverRefused(offer.transferId(), avatarId, "region-closed: " + id.region() + " is closing"));
        }
        int existing = cell.slotOf(avatarId);
        if (existing != AvatarTable.NONE) {
            // Owned here already (joined twice): keep this one, so the avatar is never simulated twice.
            return answer(
                    offer,
                    new HandoverAccepted(offer.transferId(), avatarId, id.entityId(), cell.table().entityId[existing]));
        }
        boolean fromElsewhere = !offer.from().region().equals(id.region());
        LiveAvatar a = fromElsewhere
                ? offer.avatar()
                        .arrivingAt(
                                newEntityId(),
                                offer.avatar().x(),
                                offer.avatar().y(),
                                offer.avatar().z())
                : offer.avatar();
        CellSimulation.JoinResult result = hasRoom() ? cell.admit(a) : CellSimulation.JoinResult.FULL;
        if (result != CellSimulation.JoinResult.JOINED) {
            return answer(
                    offer,
                    new HandoverRefused(
                            offer.transferId(), avatarId, joinProblem(result, avatarId, a.x(), a.y(), a.z())));
        }
        if (fromElsewhere) {
            nextEntitySerial++;
            env.positions().regionChanged(avatarId, id.region(), a.x(), a.y(), a.z());
        }
        return answer(offer, new HandoverAccepted(offer.transferId(), avatarId, id.entityId(), a.entityId()));
    }

    /**
     * Replies to an offer and remembers the answer for its repeats. After a refusal the avatar stays at its
     * source, so commands for it that reach this cell (forwarded while it was in flight) are forwarded back there.
     */
    private Behavior<Command> answer(HandoverOffer offer, Command answer) {
        answered.put(offer.transferId(), new Answered(answer, System.nanoTime()));
        if (answer instanceof HandoverRefused) {
            String avatarId = offer.avatar().avatarId();
            forwards.put(
                    avatarId,
                    new Forward(
                            offer.from(), System.nanoTime() + env.forwardFor().toNanos()));
        }
        offer.replyTo().tell(answer);
        return this;
    }

    private Behavior<Command> onAccepted(HandoverAccepted accepted) {
        Transfer t = outgoing.get(accepted.avatarId());
        if (t == null || !t.transferId.equals(accepted.transferId())) {
            return this; // a repeated answer
        }
        outgoing.remove(accepted.avatarId());
        forwards.put(
                accepted.avatarId(),
                new Forward(t.destination, System.nanoTime() + env.forwardFor().toNanos()));
        if (t.replyTo != null) {
            t.replyTo.tell(StatusReply.ack());
        }
        if (t.kind == Kind.EVACUATE) {
            evacuated++;
        }
        answerEvacuationIfDone();
        return this;
    }

    private Behavior<Command> onRefused(HandoverRefused refused) {
        Transfer t = outgoing.get(refused.avatarId());
        if (t == null || !t.transferId.equals(refused.transferId())) {
            return this;
        }
        outgoing.remove(refused.avatarId());
        LiveAvatar back = t.kind == Kind.MOVE ? clampedIntoThisCell(t.original) : t.original;
        CellSimulation.JoinResult result = cell.admit(back);
        if (result != CellSimulation.JoinResult.JOINED) {
            // Cannot happen while hasRoom() keeps a slot for every avatar in flight; loud if it ever does.
            getContext()
                    .getLog()
                    .error(
                            "Cell {}: avatar {} refused by {} and not re-admitted here ({})",
                            id,
                            back.avatarId(),
                            t.destination,
                            result);
        }
        if (t.replyTo != null) {
            t.replyTo.tell(StatusReply.error(refused.reason()));
        }
        if (closing && t.kind != Kind.EVACUATE && fallback != null) {
            evacuate(back.avatarId());
        }
        answerEvacuationIfDone();
        return this;
    }

    /** The avatar at the nearest point inside this cell's square, at rest. */
    private LiveAvatar clampedIntoThisCell(LiveAvatar a) {
        float x = Math.max(area.minX(), Math.min(area.maxX(), a.x()));
        float z = Math.max(area.minZ(), Math.min(area.maxZ(), a.z()));
        if (!layout.owns(id, x, z)) { // on an east or north edge, which belongs to the neighbour: 1 mm inside
            x = Math.min(x, area.maxX() - 1e-3f);
            z = Math.min(z, area.maxZ() - 1e-3f);
        }
        return a.arrivingAt(a.entityId(), x, a.y(), z);
    }

    /** Re-sends unanswered offers; forgets old forwards, admissions and silent neighbours' ghosts. */
    private Behavior<Command> onHousekeeping() {
        long now = System.nanoTime();
        long retryNanos = env.handoverRetry().toNanos();
        for (Transfer t : outgoing.values()) {
            if (now - t.lastSentNanos >= retryNanos) {
                sendOffer(t);
            }
        }
        forwards.values().removeIf(f -> f.untilNanos() - now < 0);
        long dedupNanos = env.handoverDedupWindow().toNanos();
        answered.values().removeIf(a -> now - a.atNanos() > dedupNanos);
        long silentNanos = env.ghostTimeout().toNanos();
        for (Iterator<Map.Entry<Integer, Long>> it = ghostsHeardAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Long> e = it.next();
            if (now - e.getValue() > silentNanos) {
                cell.dropGhostsFrom(e.getKey(), -1);
                it.remove();
            }
        }
        return this;
    }

    /**
     * The cell an avatar that is not owned here went to (in flight or recently) or stayed in (this cell refused
     * it), or null. Never this cell: a command is not forwarded to itself.
     */
    private CellId elsewhere(String avatarId) {
        Transfer t = outgoing.get(avatarId);
        if (t != null) {
            return t.destination.equals(id) ? null : t.destination;
        }
        Forward f = forwards.get(avatarId);
        return f == null || f.destination().equals(id) ? null : f.destination();
    }

    // ---------------------------------------------------------------- commands

    private Behavior<Command> onInput(Input in) {
        CellSimulation.InputResult result =
                cell.input(in.avatarId(), in.sequence(), in.intentX(), in.intentZ(), in.focusX(), in.focusZ());
        if (result == CellSimulation.InputResult.UNKNOWN_AVATAR) {
            CellId there = elsewhere(in.avatarId());
            if (there != null) {
                env.peers().tell(there, in);
            }
        }
        return this;
    }

    private Behavior<Command> onJoin(Join join) {
        if (closing) {
            join.replyTo().tell(StatusReply.error("region-closed: " + id.region() + " is closing"));
            return this;
        }
        if (outgoing.containsKey(join.avatarId())) {
            join.replyTo()
                    .tell(StatusReply.error("region-already-here: " + join.avatarId() + " is moving between cells"));
            return this;
        }
        int entity = newEntityId();
        CellSimulation.JoinResult result = hasRoom()
                ? cell.join(join.avatarId(), entity, join.x(), join.y(), join.z())
                : CellSimulation.JoinResult.FULL;
        if (result == CellSimulation.JoinResult.JOINED) {
            nextEntitySerial++;
            join.replyTo().tell(StatusReply.success(new Joined(entity, id.entityId())));
        } else {
            join.replyTo().tell(StatusReply.error(joinProblem(result, join.avatarId(), join.x(), join.y(), join.z())));
        }
        return this;
    }

    /** Keeps a slot for every avatar in flight, so a refused handover can always come back. */
    private boolean hasRoom() {
        return cell.avatarCount() + outgoing.size() < cell.capacity();
    }

    /** Region-unique: this cell's index in the high bits, a serial in the low 20 (wraps after 2^20 joins). */
    private int newEntityId() {
        return (cellIndex << 20) | (nextEntitySerial & 0xFFFFF);
    }

    private String joinProblem(CellSimulation.JoinResult result, String avatarId, float x, float y, float z) {
        return switch (result) {
            case ALREADY_HERE -> "region-already-here: " + avatarId + " is already in " + id.region();
            case OUT_OF_BOUNDS -> "region-out-of-bounds: (" + x + ", " + y + ", " + z + ") is outside " + id.region();
            case NOT_IN_CELL ->
                "region-wrong-cell: (" + x + ", " + z + ") belongs to cell " + layout.cellAt(x, z) + ", not " + id;
            case FULL -> "region-full: cell " + id + " holds " + definition.capacity() + " avatars";
            case JOINED -> throw new IllegalArgumentException("not a problem");
        };
    }

    private Behavior<Command> onLeave(Leave leave) {
        if (cell.leave(leave.avatarId())) {
            leave.replyTo().tell(StatusReply.ack());
            return this;
        }
        CellId there = elsewhere(leave.avatarId());
        if (there != null) {
            env.peers().tell(there, leave);
        } else {
            leave.replyTo()
                    .tell(StatusReply.error("region-unknown-avatar: " + leave.avatarId() + " is not in cell " + id));
        }
        return this;
    }

    private Behavior<Command> onTeleport(Teleport t) {
        if (cell.slotOf(t.avatarId()) == AvatarTable.NONE) {
            CellId there = elsewhere(t.avatarId());
            if (there != null) {
                env.peers().tell(there, t);
                return this;
            }
        }
        // A teleport into another cell of the region is handed over after the next tick.
        String problem = cell.teleport(t.avatarId(), t.x(), t.y(), t.z());
        t.replyTo()
                .tell(problem == null ? StatusReply.ack() : StatusReply.error("region-teleport-refused: " + problem));
        return this;
    }

    private Behavior<Command> onTravel(Travel travel) {
        int slot = cell.slotOf(travel.avatarId());
        if (slot == AvatarTable.NONE) {
            CellId there = elsewhere(travel.avatarId());
            if (there != null) {
                env.peers().tell(there, travel);
            } else {
                travel.replyTo()
                        .tell(StatusReply.error(
                                "region-unknown-avatar: " + travel.avatarId() + " is not in cell " + id));
            }
            return this;
        }
        RegionDefinition to = travel.destination();
        if (to.name().equals(id.region())) {
            travel.replyTo()
                    .tell(StatusReply.error("region-travel-refused: already in " + to.name()
                            + "; moves inside a region are walks or teleports"));
            return this;
        }
        if (!to.bounds().contains(travel.x(), travel.y(), travel.z())) {
            travel.replyTo()
                    .tell(StatusReply.error("region-out-of-bounds: (" + travel.x() + ", " + travel.y() + ", "
                            + travel.z() + ") is outside " + to.name()));
            return this;
        }
        LiveAvatar here = cell.export(slot);
        cell.leave(travel.avatarId());
        startTransfer(
                Kind.TRAVEL,
                here,
                here.arrivingAt(AvatarTable.NONE, travel.x(), travel.y(), travel.z()),
                new CellLayout(to).cellAt(travel.x(), travel.z()),
                travel.replyTo());
        return this;
    }

    private Behavior<Command> onEvacuate(Evacuate e) {
        closing = true;
        fallback = e.fallback();
        evacuationWaiters.add(e.replyTo());
        AvatarTable t = cell.table();
        List<String> owned = new ArrayList<>(cell.avatarCount());
        for (int i = 0; i < t.size(); i++) {
            int slot = t.liveSlot(i);
            if (!cell.isGhost(slot)) {
                owned.add(t.avatarId[slot]);
            }
        }
        owned.forEach(this::evacuate);
        answerEvacuationIfDone();
        return this;
    }

    /** Hands one owned avatar to the fallback region, near its spawn point. */
    private void evacuate(String avatarId) {
        LiveAvatar here = cell.export(cell.slotOf(avatarId));
        cell.leave(avatarId);
        float[] spawn = fallback.spawnPoint();
        RegionBounds fb = fallback.bounds();
        // Spread arrivals over ±8 m around the spawn point, by avatar, so they do not stand in one spot.
        int h = avatarId.hashCode();
        float x = Math.max(fb.minX(), Math.min(fb.maxX(), spawn[0] + ((h & 0xFF) / 255f - 0.5f) * 16));
        float z = Math.max(fb.minZ(), Math.min(fb.maxZ(), spawn[2] + (((h >>> 8) & 0xFF) / 255f - 0.5f) * 16));
        startTransfer(
                Kind.EVACUATE,
                here,
                here.arrivingAt(AvatarTable.NONE, x, spawn[1], z),
                new CellLayout(fallback).cellAt(x, z),
                null);
    }

    private void answerEvacuationIfDone() {
        if (!closing || evacuationWaiters.isEmpty()) {
            return;
        }
        boolean inFlight = outgoing.values().stream().anyMatch(t -> t.kind == Kind.EVACUATE);
        if (inFlight) {
            return;
        }
        Evacuated answer = new Evacuated(id.entityId(), evacuated, cell.avatarCount());
        evacuationWaiters.forEach(w -> w.tell(answer));
        evacuationWaiters.clear();
    }

    private Behavior<Command> onLocate(Locate locate) {
        int slot = cell.slotOf(locate.avatarId());
        AvatarTable t = cell.table();
        locate.replyTo()
                .tell(
                        slot == AvatarTable.NONE
                                ? Location.absent(id)
                                : new Location(
                                        id.region(),
                                        id.entityId(),
                                        true,
                                        t.entityId[slot],
                                        t.x[slot],
                                        t.y[slot],
                                        t.z[slot],
                                        t.vx[slot],
                                        t.vz[slot],
                                        cell.lastInput(slot)));
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus get) {
        get.replyTo()
                .tell(new CellStatus(
                        id.entityId(),
                        id.region(),
                        closing,
                        outgoing.size(),
                        cell.telemetry(),
                        getContext().getSystem().address().toString()));
        return this;
    }

    // ---------------------------------------------------------------- attention settlement

    /** Closes the period: drains attention into a batch (if any was paid) and sends the oldest pending batch. */
    private Behavior<Command> onSettle() {
        drainIntoPending();
        sendOldestPending();
        return this;
    }

    private void drainIntoPending() {
        Instant periodEnd = Instant.now();
        Map<String, Long> micros = new HashMap<>();
        cell.drainAttention((owner, seconds) -> {
            long us = Math.round(seconds * 1e6);
            if (us > 0) {
                micros.merge(owner, us, Long::sum);
            }
        });
        if (!micros.isEmpty() && periodEnd.isAfter(periodStart)) {
            pending.add(new AttentionBatch(
                    AttentionBatch.idFor(id.entityId(), periodEnd), id.region(), periodStart, periodEnd, micros));
            periodStart = periodEnd;
        }
    }

    private Behavior<Command> onFlush(Flush flush) {
        flushWaiters.add(flush.replyTo());
        return onSettle();
    }

    private void sendOldestPending() {
        if (pending.isEmpty()) {
            answerFlushWaiters();
            return;
        }
        if (settling) {
            return;
        }
        settling = true;
        AttentionBatch batch = pending.peekFirst();
        getContext()
                .pipeToSelf(env.settlement().record(batch), (done, failure) -> new Settled(batch.batchId(), failure));
    }

    private Behavior<Command> onSettled(Settled settled) {
        settling = false;
        if (settled.failure() != null) {
            // Kept, retried at the next period: attention is never dropped because the journal was away.
            getContext()
                    .getLog()
                    .warn(
                            "Attention batch {} not stored yet ({} pending): {}",
                            settled.batchId(),
                            pending.size(),
                            settled.failure().toString());
            return this;
        }
        if (!pending.isEmpty() && pending.peekFirst().batchId().equals(settled.batchId())) {
            pending.removeFirst();
        }
        sendOldestPending();
        return this;
    }

    private void answerFlushWaiters() {
        flushWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
        flushWaiters.clear();
    }

    /**
     * Sharding moves this cell (rebalance, node leaving): its avatars are offered to its own entity id, which
     * sharding buffers for the next incarnation; unsettled attention is sent without waiting.
     */
    private Behavior<Command> onStop() {
        drainIntoPending();
        pending.forEach(env.settlement()::record);
        AvatarTable t = cell.table();
        for (int i = 0; i < t.size(); i++) {
            int slot = t.liveSlot(i);
            if (!cell.isGhost(slot)) {
                env.peers()
                        .tell(
                                id,
                                new HandoverOffer(
                                        id.entityId() + "#" + incarnation + "#stop#" + i,
                                        cell.export(slot),
                                        id,
                                        getContext().getSystem().ignoreRef()));
            }
        }
        outgoing.values().forEach(this::sendOffer);
        return Behaviors.stopped();
    }
}

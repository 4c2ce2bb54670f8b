package org.worldserver.shard.region;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.shard.attention.AttentionBatch;
import org.worldserver.shard.world.AvatarTable;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.CellTelemetry;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.ObserverSink;

/**
 * The actor that runs one region's {@link CellSimulation}: commands between ticks, a tick every {@code 1 /
 * tickHz}, telemetry published to the {@link RegionDirectory} once a second.
 *
 * <pre>
 * Join(avatar, x, y, z) → Joined(entity id) | error      Leave(avatar) → Done | error
 * Input(avatar, seq, intent, focus)  (no reply: the hot path; counted in telemetry)
 * Teleport(avatar, x, y, z) → Done | error               GetStatus → RegionStatus     Locate → Location
 * every settlement period: attention-seconds drained → AttentionBatch → AttentionSettlement (kept and retried
 *                          in order until stored)
 * </pre>
 *
 * <b>Ticking.</b> One single-shot timer at a time, aimed at the next deadline {@code previous + period}. When a
 * tick ends past its deadline the next one runs at once and the schedule restarts from now: the region never
 * runs a burst of ticks to catch up, so an overloaded region slows its simulation clock (the cell reports the
 * dilation) instead of falling further behind. Messages are node-local for now (regions are not sharded yet).
 */
public final class RegionCell extends AbstractBehavior<RegionCell.Command> {

    public sealed interface Command {}

    public record Join(String avatarId, float x, float y, float z, ActorRef<StatusReply<Joined>> replyTo)
            implements Command {}

    /** @param entityId the avatar's compact id in this region, used on the wire */
    public record Joined(int entityId) {}

    public record Leave(String avatarId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** One client input: intent on the ground plane (length ≤ 1 = fraction of max speed), focus direction. */
    public record Input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ)
            implements Command {}

    public record Teleport(String avatarId, float x, float y, float z, ActorRef<StatusReply<Done>> replyTo)
            implements Command {}

    public record GetStatus(ActorRef<RegionStatus> replyTo) implements Command {}

    /** Where an avatar is in this region right now, if it is here. */
    public record Locate(String avatarId, ActorRef<Location> replyTo) implements Command {}

    /**
     * An avatar's live state; {@code present} false (and the rest zero) when it is not in the region.
     *
     * @param x metres east, {@code y} up, {@code z} north, relative to the region's origin
     * @param vx velocity east, m/s; {@code vz} north
     */
    public record Location(
            String region, boolean present, int entityId, float x, float y, float z, float vx, float vz) {}

    /** A region's definition with its current numbers. */
    public record RegionStatus(RegionDefinition definition, CellTelemetry telemetry) {}

    private enum Tick implements Command {
        INSTANCE
    }

    private enum Settle implements Command {
        INSTANCE
    }

    /**
     * Settles now and replies once every pending batch is stored, or once storing has failed (the node is going
     * down: the failure is logged with what could not be stored). Sent by CoordinatedShutdown.
     */
    public record Flush(ActorRef<Done> replyTo) implements Command {}

    /** Outcome of recording the oldest pending batch. */
    private record Settled(String batchId, Throwable failure) implements Command {}

    /** Records one batch durably; completes when it is stored (a retry of a stored batch must also complete). */
    @FunctionalInterface
    public interface AttentionSettlement {
        CompletionStage<Done> record(AttentionBatch batch);
    }

    private final RegionDefinition definition;
    private final CellSimulation cell;
    private final RegionDirectory directory;
    private final TimerScheduler<Command> timers;
    private final long periodNanos;
    private final int ticksPerPublish;
    private long nextDeadline;
    private int nextEntityId = 1;
    private final AttentionSettlement settlement;
    /** Batches drained but not yet stored, oldest first; one is in flight at a time. */
    private final ArrayDeque<AttentionBatch> pending = new ArrayDeque<>();

    private boolean settling;
    private final List<ActorRef<Done>> flushWaiters = new ArrayList<>();
    private Instant periodStart = Instant.now();

    /** @param settlementPeriod how often accumulated attention becomes a batch for {@code settlement} */
    public static Behavior<Command> create(
            RegionDefinition definition,
            InterestSettings interest,
            ObserverSink sink,
            RegionDirectory directory,
            Duration settlementPeriod,
            AttentionSettlement settlement) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new RegionCell(ctx, timers, definition, interest, sink, directory, settlementPeriod, settlement)));
    }

    private RegionCell(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            RegionDefinition definition,
            InterestSettings interest,
            ObserverSink sink,
            RegionDirectory directory,
            Duration settlementPeriod,
            AttentionSettlement settlement) {
        super(context);
        this.settlement = settlement;
        this.definition = definition;
        this.timers = timers;
        this.directory = directory;
        this.cell = new CellSimulation(
                new MovementRules(definition.bounds(), definition.maxSpeed(), definition.teleportAllowed()),
                interest,
                definition.tickHz(),
                definition.capacity(),
                definition.maxCandidates(),
                System::nanoTime,
                sink);
        this.periodNanos = (long) (1e9 / definition.tickHz());
        this.ticksPerPublish = Math.max(1, Math.round(definition.tickHz()));
        this.nextDeadline = System.nanoTime() + periodNanos;
        directory.publish(definition.name(), cell.telemetry());
        timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(periodNanos));
        timers.startTimerAtFixedRate(Settle.INSTANCE, settlementPeriod);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessage(Input.class, this::onInput)
                .onMessage(Join.class, this::onJoin)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Teleport.class, this::onTeleport)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(Locate.class, this::onLocate)
                .onMessageEquals(Settle.INSTANCE, this::onSettle)
                .onMessage(Settled.class, this::onSettled)
                .onMessage(Flush.class, this::onFlush)
                .build();
    }

    private Behavior<Command> onTick() {
        cell.tick();
        if (cell.ticks() % ticksPerPublish == 0) {
            directory.publish(definition.name(), cell.telemetry());
        }
        long now = System.nanoTime();
        nextDeadline += periodNanos;
        if (nextDeadline <= now) {
            nextDeadline = now; // late: run the next tick at once, and do not try to catch up
        }
        timers.startSingleTimer(Tick.INSTANCE, Duration.ofNanos(nextDeadline - now));
        return this;
    }

    private Behavior<Command> onInput(Input in) {
        cell.input(in.avatarId(), in.sequence(), in.intentX(), in.intentZ(), in.focusX(), in.focusZ());
        return this;
    }

    private Behavior<Command> onJoin(Join join) {
        int entity = nextEntityId;
        CellSimulation.JoinResult result = cell.join(join.avatarId(), entity, join.x(), join.y(), join.z());
        switch (result) {
            case JOINED -> {
                nextEntityId++;
                join.replyTo().tell(StatusReply.success(new Joined(entity)));
            }
            case ALREADY_HERE ->
                join.replyTo()
                        .tell(StatusReply.error(
                                "region-already-here: " + join.avatarId() + " is already in " + definition.name()));
            case OUT_OF_BOUNDS ->
                join.replyTo()
                        .tell(StatusReply.error("region-out-of-bounds: (" + join.x() + ", " + join.y() + ", " + join.z()
                                + ") is outside " + definition.name()));
            case FULL ->
                join.replyTo()
                        .tell(StatusReply.error(
                                "region-full: " + definition.name() + " holds " + definition.capacity() + " avatars"));
        }
        return this;
    }

    private Behavior<Command> onLeave(Leave leave) {
        leave.replyTo()
                .tell(
                        cell.leave(leave.avatarId())
                                ? StatusReply.ack()
                                : StatusReply.error("region-unknown-avatar: " + leave.avatarId() + " is not in "
                                        + definition.name()));
        return this;
    }

    private Behavior<Command> onTeleport(Teleport t) {
        String problem = cell.teleport(t.avatarId(), t.x(), t.y(), t.z());
        t.replyTo()
                .tell(problem == null ? StatusReply.ack() : StatusReply.error("region-teleport-refused: " + problem));
        return this;
    }

    /** Closes the period: drains attention into a batch (if any was paid) and sends the oldest pending batch. */
    private Behavior<Command> onSettle() {
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
                    AttentionBatch.idFor(definition.name(), periodEnd),
                    definition.name(),
                    periodStart,
                    periodEnd,
                    micros));
            periodStart = periodEnd;
        }
        sendOldestPending();
        return this;
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
        getContext().pipeToSelf(settlement.record(batch), (done, failure) -> new Settled(batch.batchId(), failure));
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

    private Behavior<Command> onLocate(Locate locate) {
        int slot = cell.slotOf(locate.avatarId());
        AvatarTable t = cell.table();
        locate.replyTo()
                .tell(
                        slot == AvatarTable.NONE
                                ? new Location(definition.name(), false, AvatarTable.NONE, 0, 0, 0, 0, 0)
                                : new Location(
                                        definition.name(),
                                        true,
                                        t.entityId[slot],
                                        t.x[slot],
                                        t.y[slot],
                                        t.z[slot],
                                        t.vx[slot],
                                        t.vz[slot]));
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus get) {
        get.replyTo().tell(new RegionStatus(definition, cell.telemetry()));
        return this;
    }
}

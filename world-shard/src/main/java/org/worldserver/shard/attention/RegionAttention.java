package org.worldserver.shard.attention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.timebank.AttentionSettlement;

/**
 * One region's settled attention, as a sharded event-sourced entity (id = region name): the journal holds every
 * batch of every cell of the region for the time bank and auditors; the state keeps each cell's newest end of
 * period (for idempotency), the last {@value #RECENT} batches (for the operator API), and the batches recorded but
 * not yet paid out.
 *
 * <pre>
 * Record(batch) → BatchRecorded → Done   (a batch whose period does not end after its cell's last one: Done, no event)
 *                 then the batch is paid through the time bank ({@link Settler}) → BatchSettled
 * Recent → the last batches, newest first
 * </pre>
 *
 * Payment is exactly once: the time bank's side is idempotent by batch id, and a batch stays unsettled in the
 * state until its BatchSettled is stored, so a crash in between pays it again (to no effect) at recovery. A
 * settlement that gets no answer is tried again after {@link #RETRY}.
 */
public final class RegionAttention
        extends EventSourcedBehaviorWithEnforcedReplies<
                RegionAttention.Command, RegionAttention.Event, RegionAttention.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "RegionAttention");
    static final int RECENT = 50;

    public sealed interface Command extends CborSerializable {}

    public record Record(AttentionBatch batch, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Recent(ActorRef<RecentBatches> replyTo) implements Command {}

    public record RecentBatches(List<AttentionBatch> batches) implements CborSerializable {}

    /** Pays a batch to its owners (the time bank's {@code AttentionSettlement} on a node). */
    public interface Settler {
        CompletionStage<AttentionSettlement.Outcome> settle(String batchId, Map<String, Long> attentionMicros);
    }

    public sealed interface Event extends CborSerializable {}

    public record BatchRecorded(AttentionBatch batch) implements Event {}

    /** The batch was paid: minted and paid micro-credits, and the owners that could not be paid, with why. */
    public record BatchSettled(String batchId, long minted, Map<String, Long> paid, Map<String, String> problems)
            implements Event {}

    /** The time bank answered a settlement, or (outcome null) did not (internal). */
    record Settled(String batchId, AttentionSettlement.Outcome outcome) implements Command {}

    /** Try the unsettled batches again (internal; a timer). */
    enum RetrySettlement implements Command {
        INSTANCE
    }

    static final Duration RETRY = Duration.ofSeconds(5);

    /**
     * @param lastPeriodEndMillis cell → end of its newest recorded period, epoch ms
     * @param recent newest first, at most {@value #RECENT}
     */
    public record State(
            Map<String, Long> lastPeriodEndMillis, List<AttentionBatch> recent, List<AttentionBatch> unsettled)
            implements CborSerializable {
        State with(AttentionBatch batch) {
            List<AttentionBatch> next = new ArrayList<>(RECENT);
            next.add(batch);
            next.addAll(recent.subList(0, Math.min(recent.size(), RECENT - 1)));
            Map<String, Long> ends = new HashMap<>(lastPeriodEndMillis);
            ends.put(batch.cell(), batch.periodEnd().toEpochMilli());
            List<AttentionBatch> toPay = new ArrayList<>(unsettled);
            toPay.add(batch);
            return new State(Map.copyOf(ends), List.copyOf(next), List.copyOf(toPay));
        }

        State settled(String batchId) {
            return new State(
                    lastPeriodEndMillis,
                    recent,
                    unsettled.stream().filter(b -> !b.batchId().equals(batchId)).toList());
        }

        long lastPeriodEnd(String cell) {
            return lastPeriodEndMillis.getOrDefault(cell, Long.MIN_VALUE);
        }
    }

    private final String region;
    private final Settler settler;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;

    private RegionAttention(
            String region, Settler settler, ActorContext<Command> context, TimerScheduler<Command> timers) {
        super(
                PersistenceId.of(ENTITY_KEY.name(), region),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.region = region;
        this.settler = settler;
        this.context = context;
        this.timers = timers;
    }

    public static Behavior<Command> create(String region, Settler settler) {
        return Behaviors.setup(
                context -> Behaviors.withTimers(timers -> new RegionAttention(region, settler, context, timers)));
    }

    /** Registers the entity type; its batches are paid through {@code settler} (the node's time bank). */
    public static void init(ActorSystem<?> system, Settler settler) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settler)));
    }

    @Override
    public State emptyState() {
        return new State(Map.of(), List.of(), List.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Record.class, this::onRecord)
                .onCommand(Recent.class, (s, c) -> Effect().reply(c.replyTo(), new RecentBatches(s.recent())))
                .onCommand(Settled.class, this::onSettled)
                .onCommand(RetrySettlement.class, (s, c) -> {
                    s.unsettled().forEach(this::settle);
                    return Effect().noReply();
                })
                .build();
    }

    private ReplyEffect<Event, State> onSettled(State state, Settled c) {
        if (c.outcome() == null) {
            timers.startSingleTimer(RetrySettlement.INSTANCE, RETRY); // one timer however many batches failed
            return Effect().noReply();
        }
        if (state.unsettled().stream().noneMatch(b -> b.batchId().equals(c.batchId()))) {
            return Effect().noReply(); // a second answer for a batch already settled
        }
        AttentionSettlement.Outcome o = c.outcome();
        return Effect()
                .persist(new BatchSettled(c.batchId(), o.minted(), o.paid(), o.problems()))
                .thenNoReply();
    }

    /** Asks the time bank to pay {@code batch}; no answer: tried again after {@link #RETRY}. */
    private void settle(AttentionBatch batch) {
        context.pipeToSelf(settler.settle(batch.batchId(), batch.attentionMicros()), (outcome, failure) -> {
            if (failure != null) {
                context.getLog().warn("Attention batch {} not paid yet: {}", batch.batchId(), failure.toString());
            }
            return new Settled(batch.batchId(), failure == null ? outcome : null);
        });
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> s.unsettled().forEach(this::settle))
                .build();
    }

    private ReplyEffect<Event, State> onRecord(State state, Record c) {
        AttentionBatch batch = c.batch();
        if (!region.equals(batch.region())
                || !batch.cell().startsWith(region + ":")
                || !batch.batchId().equals(AttentionBatch.idFor(batch.cell(), batch.periodEnd()))
                || !batch.periodStart().isBefore(batch.periodEnd())
                || batch.attentionMicros().values().stream().anyMatch(v -> v == null || v < 0)) {
            return Effect().reply(c.replyTo(), StatusReply.error("attention-invalid-batch: " + batch.batchId()));
        }
        if (batch.periodEnd().toEpochMilli() <= state.lastPeriodEnd(batch.cell())) {
            return Effect().reply(c.replyTo(), StatusReply.ack()); // already recorded: a retry
        }
        return Effect()
                .persist(new BatchRecorded(batch))
                .thenRun(s -> settle(batch))
                .thenReply(c.replyTo(), s -> StatusReply.ack());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(BatchRecorded.class, (s, e) -> s.with(e.batch()))
                .onEvent(BatchSettled.class, (s, e) -> s.settled(e.batchId()))
                .build();
    }
}

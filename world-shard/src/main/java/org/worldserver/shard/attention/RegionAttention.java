package org.worldserver.shard.attention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.worldserver.persistence.CborSerializable;

/**
 * One region's settled attention, as a sharded event-sourced entity (id = region name): the journal holds every
 * batch of every cell of the region for the time bank and auditors; the state keeps each cell's newest end of
 * period (for idempotency) and the last {@value #RECENT} batches (for the operator API).
 *
 * <pre>
 * Record(batch) → BatchRecorded → Done   (a batch whose period does not end after its cell's last one: Done, no event)
 * Recent → the last batches, newest first
 * </pre>
 */
public final class RegionAttention
        extends EventSourcedBehaviorWithEnforcedReplies<
                RegionAttention.Command, RegionAttention.BatchRecorded, RegionAttention.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "RegionAttention");
    static final int RECENT = 50;

    public sealed interface Command extends CborSerializable {}

    public record Record(AttentionBatch batch, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public record Recent(ActorRef<RecentBatches> replyTo) implements Command {}

    public record RecentBatches(List<AttentionBatch> batches) implements CborSerializable {}

    public record BatchRecorded(AttentionBatch batch) implements CborSerializable {}

    /**
     * @param lastPeriodEndMillis cell → end of its newest recorded period, epoch ms
     * @param recent newest first, at most {@value #RECENT}
     */
    public record State(Map<String, Long> lastPeriodEndMillis, List<AttentionBatch> recent)
            implements CborSerializable {
        State with(AttentionBatch batch) {
            List<AttentionBatch> next = new ArrayList<>(RECENT);
            next.add(batch);
            next.addAll(recent.subList(0, Math.min(recent.size(), RECENT - 1)));
            Map<String, Long> ends = new HashMap<>(lastPeriodEndMillis);
            ends.put(batch.cell(), batch.periodEnd().toEpochMilli());
            return new State(Map.copyOf(ends), List.copyOf(next));
        }

        long lastPeriodEnd(String cell) {
            return lastPeriodEndMillis.getOrDefault(cell, Long.MIN_VALUE);
        }
    }

    private final String region;

    private RegionAttention(String region) {
        super(
                PersistenceId.of(ENTITY_KEY.name(), region),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.region = region;
    }

    public static Behavior<Command> create(String region) {
        return new RegionAttention(region);
    }

    public static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
    }

    @Override
    public State emptyState() {
        return new State(Map.of(), List.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, BatchRecorded, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Record.class, this::onRecord)
                .onCommand(Recent.class, (s, c) -> Effect().reply(c.replyTo(), new RecentBatches(s.recent())))
                .build();
    }

    private ReplyEffect<BatchRecorded, State> onRecord(State state, Record c) {
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
        return Effect().persist(new BatchRecorded(batch)).thenReply(c.replyTo(), s -> StatusReply.ack());
    }

    @Override
    public EventHandler<State, BatchRecorded> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(BatchRecorded.class, (s, e) -> s.with(e.batch()))
                .build();
    }
}

package org.worldserver.shard.region;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
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
 * The regions of the world, cluster-wide: one event-sourced entity (sharded, id {@value #ENTITY_ID}) whose
 * journal records every region defined and closed, so a region created through the operator API outlives every
 * node. Cells read their definition from it when they start; every node caches it in {@link RegionCatalog}.
 *
 * <pre>
 * Define(definition) → RegionDefined → the record          same definition again: the record, no event
 *                      region-exists: open with another definition (close it first)
 * Close(name, fallback) → RegionClosed → the record        already closed: the record, no event
 *                      region-not-found | region-is-fallback | region-fallback-unavailable (fallback not open)
 * Get → every region, open or closed
 * </pre>
 */
public final class RegionRegistry
        extends EventSourcedBehaviorWithEnforcedReplies<
                RegionRegistry.Command, RegionRegistry.Event, RegionRegistry.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "RegionRegistry");
    public static final String ENTITY_ID = "world";

    public sealed interface Command extends CborSerializable {}

    public record Define(RegionDefinition definition, ActorRef<StatusReply<RegionRecord>> replyTo) implements Command {}

    /** Closes {@code name}; its avatars are to go to {@code fallback}. */
    public record Close(String name, String fallback, ActorRef<StatusReply<RegionRecord>> replyTo) implements Command {}

    public record Get(ActorRef<Regions> replyTo) implements Command {}

    /** @param regions name → record, sorted by name */
    public record Regions(Map<String, RegionRecord> regions) implements CborSerializable {}

    /**
     * @param open false once closed
     * @param fallback where a closed region's avatars went; null while open
     * @param since when it was defined, or closed
     */
    public record RegionRecord(RegionDefinition definition, boolean open, String fallback, Instant since)
            implements CborSerializable {}

    public sealed interface Event extends CborSerializable {}

    public record RegionDefined(RegionDefinition definition, Instant at) implements Event {}

    public record RegionClosed(String name, String fallback, Instant at) implements Event {}

    public record State(Map<String, RegionRecord> regions) implements CborSerializable {
        State with(RegionRecord record) {
            Map<String, RegionRecord> next = new TreeMap<>(regions);
            next.put(record.definition().name(), record);
            return new State(Map.copyOf(next));
        }
    }

    private final Clock clock;

    private RegionRegistry(Clock clock) {
        super(
                PersistenceId.of(ENTITY_KEY.name(), ENTITY_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.clock = clock;
    }

    public static Behavior<Command> create(Clock clock) {
        return new RegionRegistry(clock);
    }

    public static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(Clock.systemUTC())));
    }

    public static EntityRef<Command> ref(ActorSystem<?> system) {
        return ClusterSharding.get(system).entityRefFor(ENTITY_KEY, ENTITY_ID);
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Define.class, this::onDefine)
                .onCommand(Close.class, this::onClose)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new Regions(new TreeMap<>(s.regions()))))
                .build();
    }

    private ReplyEffect<Event, State> onDefine(State state, Define c) {
        RegionRecord existing = state.regions().get(c.definition().name());
        if (existing != null && existing.open()) {
            return existing.definition().equals(c.definition())
                    ? Effect().reply(c.replyTo(), StatusReply.success(existing))
                    : Effect()
                            .reply(
                                    c.replyTo(),
                                    StatusReply.error(
                                            "region-exists: " + c.definition().name()
                                                    + " is open with another definition; close it first"));
        }
        return Effect()
                .persist(new RegionDefined(c.definition(), clock.instant()))
                .thenReply(
                        c.replyTo(),
                        s -> StatusReply.success(s.regions().get(c.definition().name())));
    }

    private ReplyEffect<Event, State> onClose(State state, Close c) {
        RegionRecord existing = state.regions().get(c.name());
        if (existing == null) {
            return Effect().reply(c.replyTo(), StatusReply.error("region-not-found: no region named " + c.name()));
        }
        if (!existing.open()) {
            return Effect().reply(c.replyTo(), StatusReply.success(existing));
        }
        if (c.name().equals(c.fallback())) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error("region-is-fallback: " + c.name()
                                    + " receives the avatars of closed regions and cannot be closed"));
        }
        RegionRecord fallback = state.regions().get(c.fallback());
        if (fallback == null || !fallback.open()) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            StatusReply.error(
                                    "region-fallback-unavailable: fallback region " + c.fallback() + " is not open"));
        }
        return Effect()
                .persist(new RegionClosed(c.name(), c.fallback(), clock.instant()))
                .thenReply(c.replyTo(), s -> StatusReply.success(s.regions().get(c.name())));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(RegionDefined.class, (s, e) -> s.with(new RegionRecord(e.definition(), true, null, e.at())))
                .onEvent(RegionClosed.class, (s, e) -> {
                    RegionRecord was = s.regions().get(e.name());
                    return s.with(new RegionRecord(was.definition(), false, e.fallback(), e.at()));
                })
                .build();
    }
}

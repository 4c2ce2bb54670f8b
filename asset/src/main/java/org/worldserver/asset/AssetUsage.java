package org.worldserver.asset;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.persistence.ClientIds;

/**
 * How a model or digital twin is used in the world, counted from world events: a sharded, event-sourced entity per
 * asset (id = the asset's id) that records each placement of the asset in a region, each removal, and each use by
 * an avatar where it is placed. Its owner reads the counts ({@link Assets#usage}).
 *
 * <pre>
 * Place(placement, region, x, y, z, by)  → Placed    (the same placement again: answered as it is; other terms:
 *                                                     placement-exists; at most {@value #MAX_LIVE} live at once)
 * Remove(placement, by, holder)          → Removed   (by whoever placed it or the asset's holder; a repeat: as it is)
 * Use(use, region, user)                 → Used      (only where the asset is placed; a use id counts once among the
 *                                                     last {@value #REMEMBERED} uses)
 * Get                                    → the usage
 * </pre>
 *
 * The entity checks ids, regions and counts; whether the asset exists, is placeable and who holds it is checked by
 * {@link Assets} against the asset before it asks (the region and point against the world by the caller). Every
 * command is idempotent by its id, so callers repeat it after a timeout. Snapshots every {@value #SNAPSHOT_EVERY}
 * events keep recovery short however many uses an asset has had.
 */
public final class AssetUsage
        extends EventSourcedBehaviorWithEnforcedReplies<AssetUsage.Command, AssetUsage.Event, AssetUsage.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "AssetUsage");

    /** Most placements one asset may have in the world at once. */
    public static final int MAX_LIVE = 1_000;
    /** How many recent use ids (and removed placement ids) are remembered to count a repeat once. */
    static final int REMEMBERED = 1_024;
    /** Most placements a usage lists (the counts cover all of them). */
    public static final int LISTED = 100;

    private static final int SNAPSHOT_EVERY = 500;

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** @param x metres east of the region's origin (y up, z north); the caller checked the point is in the region */
    public record Place(
            String placement,
            String region,
            float x,
            float y,
            float z,
            String by,
            ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    /** @param holder who holds the asset now (its owner, or its borrower while lent): may remove any placement */
    public record Remove(String placement, String by, String holder, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    public record Use(String use, String region, String user, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {}

    public record Placed(String placement, String region, float x, float y, float z, String by, Instant at)
            implements Event {}

    public record Removed(String placement, String by, Instant at) implements Event {}

    public record Used(String use, String region, String user, Instant at) implements Event {}

    // --- state ----------------------------------------------------------------------------------------------

    /** A placement of the asset in the world. */
    public record Placement(String id, String region, float x, float y, float z, String by, Instant at)
            implements CborSerializable {}

    /**
     * Immutable: every event makes a new state (a snapshot may be serialized while the next event is applied).
     *
     * @param live placements in the world now, in the order they were made
     * @param usesByRegion uses counted per region, ever
     * @param recentUses the last use ids, oldest first, to count a repeat once
     * @param recentlyRemoved the last removed placement ids, oldest first, to answer a repeated removal
     */
    public record State(
            Map<String, Placement> live,
            long placed,
            long removed,
            long uses,
            Map<String, Long> usesByRegion,
            Instant lastUsedAt,
            List<String> recentUses,
            List<String> recentlyRemoved)
            implements CborSerializable {

        static State empty() {
            return new State(Map.of(), 0, 0, 0, Map.of(), null, List.of(), List.of());
        }

        boolean placedIn(String region) {
            return live.values().stream().anyMatch(p -> p.region().equals(region));
        }
    }

    /**
     * The usage of an asset as its owner sees it.
     *
     * @param placements the live placements, oldest first (at most {@value #LISTED})
     * @param livePlacements how many placements are in the world now
     * @param placed placements ever made; {@code removed} of them were removed again
     * @param uses uses ever counted; {@code usesByRegion} by region
     */
    public record Summary(
            String asset,
            List<Placement> placements,
            int livePlacements,
            long placed,
            long removed,
            long uses,
            Map<String, Long> usesByRegion,
            Instant lastUsedAt)
            implements CborSerializable {}

    private final String id;
    private final Clock clock;

    private AssetUsage(String id, Clock clock) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.clock = clock;
    }

    public static Behavior<Command> create(String id, Clock clock) {
        return new AssetUsage(id, clock);
    }

    @Override
    public State emptyState() {
        return State.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Place.class, this::onPlace)
                .onCommand(Remove.class, this::onRemove)
                .onCommand(Use.class, this::onUse)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .build();
    }

    private ReplyEffect<Event, State> onPlace(State s, Place c) {
        if (!ClientIds.valid(c.placement()) || !ClientIds.valid(c.region()) || !ClientIds.valid(c.by())) {
            return reject(c.replyTo(), AssetRejection.USAGE_INVALID, "a placement, a region and who places (ids)");
        }
        if (!Float.isFinite(c.x()) || !Float.isFinite(c.y()) || !Float.isFinite(c.z())) {
            return reject(c.replyTo(), AssetRejection.USAGE_INVALID, "a point of finite coordinates");
        }
        Placement existing = s.live().get(c.placement());
        if (existing != null || s.recentlyRemoved().contains(c.placement())) {
            boolean same = existing != null
                    && existing.region().equals(c.region())
                    && existing.x() == c.x()
                    && existing.y() == c.y()
                    && existing.z() == c.z()
                    && existing.by().equals(c.by());
            return same
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(c.replyTo(), AssetRejection.PLACEMENT_EXISTS, "placement " + c.placement() + " was made");
        }
        if (s.live().size() >= MAX_LIVE) {
            return reject(c.replyTo(), AssetRejection.PLACEMENTS_FULL, "at most " + MAX_LIVE + " placements at once");
        }
        return persist(new Placed(c.placement(), c.region(), c.x(), c.y(), c.z(), c.by(), now()), c.replyTo());
    }

    private ReplyEffect<Event, State> onRemove(State s, Remove c) {
        Placement placement = s.live().get(c.placement());
        if (placement == null) {
            return s.recentlyRemoved().contains(c.placement())
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(c.replyTo(), AssetRejection.PLACEMENT_UNKNOWN, "no placement " + c.placement());
        }
        if (!placement.by().equals(c.by()) && !c.by().equals(c.holder())) {
            return reject(
                    c.replyTo(),
                    AssetRejection.NOT_OWNER,
                    c.by() + " neither made placement " + c.placement() + " nor holds the asset");
        }
        return persist(new Removed(c.placement(), c.by(), now()), c.replyTo());
    }

    private ReplyEffect<Event, State> onUse(State s, Use c) {
        if (!ClientIds.valid(c.use()) || !ClientIds.valid(c.region()) || !ClientIds.valid(c.user())) {
            return reject(c.replyTo(), AssetRejection.USAGE_INVALID, "a use, a region and a user (ids)");
        }
        if (s.recentUses().contains(c.use())) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        if (!s.placedIn(c.region())) {
            return reject(
                    c.replyTo(), AssetRejection.NOT_PLACED, "asset " + id + " is not placed in region " + c.region());
        }
        return persist(new Used(c.use(), c.region(), c.user(), now()), c.replyTo());
    }

    private ReplyEffect<Event, State> persist(Event event, ActorRef<StatusReply<Summary>> replyTo) {
        return Effect().persist(event).thenReply(replyTo, st -> StatusReply.success(summary(st)));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Placed.class, (s, e) -> {
                    Map<String, Placement> live = new LinkedHashMap<>(s.live());
                    live.put(
                            e.placement(),
                            new Placement(e.placement(), e.region(), e.x(), e.y(), e.z(), e.by(), e.at()));
                    return new State(
                            live,
                            s.placed() + 1,
                            s.removed(),
                            s.uses(),
                            s.usesByRegion(),
                            s.lastUsedAt(),
                            s.recentUses(),
                            s.recentlyRemoved());
                })
                .onEvent(Removed.class, (s, e) -> {
                    Map<String, Placement> live = new LinkedHashMap<>(s.live());
                    live.remove(e.placement());
                    return new State(
                            live,
                            s.placed(),
                            s.removed() + 1,
                            s.uses(),
                            s.usesByRegion(),
                            s.lastUsedAt(),
                            s.recentUses(),
                            remembered(s.recentlyRemoved(), e.placement()));
                })
                .onEvent(Used.class, (s, e) -> {
                    Map<String, Long> byRegion = new TreeMap<>(s.usesByRegion());
                    byRegion.merge(e.region(), 1L, Long::sum);
                    return new State(
                            s.live(),
                            s.placed(),
                            s.removed(),
                            s.uses() + 1,
                            byRegion,
                            e.at(),
                            remembered(s.recentUses(), e.use()),
                            s.recentlyRemoved());
                })
                .build();
    }

    /** {@code recent} and then {@code id}, the oldest forgotten beyond {@link #REMEMBERED}. */
    private static List<String> remembered(List<String> recent, String id) {
        List<String> next = new ArrayList<>(recent.subList(Math.max(0, recent.size() - REMEMBERED + 1), recent.size()));
        next.add(id);
        return next;
    }

    private Summary summary(State s) {
        List<Placement> listed = new ArrayList<>();
        for (Placement p : s.live().values()) {
            if (listed.size() == LISTED) {
                break;
            }
            listed.add(p);
        }
        return new Summary(
                id,
                List.copyOf(listed),
                s.live().size(),
                s.placed(),
                s.removed(),
                s.uses(),
                Collections.unmodifiableMap(new TreeMap<>(s.usesByRegion())), // sorted by region
                s.lastUsedAt());
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, AssetRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

package org.worldserver.asset;

import java.time.Clock;
import java.time.Instant;
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
import org.worldserver.persistence.CborSerializable;

/**
 * What assets claim before they are minted, one entity per scope (sharded): the land of a region ({@code
 * land:<region>}: no two parcels overlap) or the editions of a collectible series ({@code series:<series>}: each
 * number once, never beyond the series' maximum supply, which its first edition fixes). Claims are idempotent per
 * asset id; a claim that conflicts is refused and changes nothing. Claims are kept for good (a burned parcel keeps
 * its land).
 *
 * <p>The overlap check scans the region's parcels (O(parcels)); thousands per region are cheap.
 */
public final class Claims extends EventSourcedBehaviorWithEnforcedReplies<Claims.Command, Claims.Event, Claims.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Claims");

    /** The scope entity for a parcel's region. */
    public static String landOf(AssetSpec.Parcel parcel) {
        return "land:" + parcel.region();
    }

    /** The scope entity for an edition's series. */
    public static String seriesOf(AssetSpec.Edition edition) {
        return "series:" + edition.series();
    }

    /** A land parcel or an edition (one of the two), claimed by one asset. */
    public record Claim(AssetSpec.Parcel parcel, AssetSpec.Edition edition) implements CborSerializable {
        public static Claim of(AssetSpec.Parcel parcel) {
            return new Claim(parcel, null);
        }

        public static Claim of(AssetSpec.Edition edition) {
            return new Claim(null, edition);
        }
    }

    public sealed interface Command extends CborSerializable {}

    public record Stake(String asset, Claim claim, ActorRef<StatusReply<Claim>> replyTo) implements Command {}

    public sealed interface Event extends CborSerializable {}

    public record Staked(String asset, Claim claim, Instant at) implements Event {}

    /** @param claims by asset id */
    public record State(Map<String, Claim> claims) implements CborSerializable {}

    private final String scope;
    private final Clock clock;

    private Claims(String scope, Clock clock) {
        super(PersistenceId.of(ENTITY_KEY.name(), scope));
        this.scope = scope;
        this.clock = clock;
    }

    public static Behavior<Command> create(String scope, Clock clock) {
        return new Claims(scope, clock);
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Stake.class, this::onStake)
                .build();
    }

    private ReplyEffect<Event, State> onStake(State s, Stake c) {
        Claim before = s.claims().get(c.asset());
        if (before != null) {
            return before.equals(c.claim())
                    ? Effect().reply(c.replyTo(), StatusReply.success(before))
                    : Effect()
                            .reply(
                                    c.replyTo(),
                                    StatusReply.error(AssetRejection.EXISTS.message(
                                            "asset " + c.asset() + " claimed " + before + " in " + scope)));
        }
        String conflict = conflict(s, c.claim());
        if (conflict != null) {
            return Effect().reply(c.replyTo(), StatusReply.error(conflict));
        }
        return Effect()
                .persist(new Staked(c.asset(), c.claim(), clock.instant()))
                .thenReply(c.replyTo(), st -> StatusReply.success(c.claim()));
    }

    /** Why {@code claim} cannot be staked next to the others, as a refusal message; null if it can. */
    private static String conflict(State s, Claim claim) {
        AssetSpec.Parcel parcel = claim.parcel();
        AssetSpec.Edition edition = claim.edition();
        for (Map.Entry<String, Claim> e : s.claims().entrySet()) {
            AssetSpec.Parcel taken = e.getValue().parcel();
            AssetSpec.Edition existing = e.getValue().edition();
            if (parcel != null && taken != null && parcel.overlaps(taken)) {
                return AssetRejection.PARCEL_OVERLAP.message("the parcel overlaps asset " + e.getKey() + "'s " + taken);
            }
            if (edition != null && existing != null) {
                if (edition.maxSupply() != existing.maxSupply()) {
                    return AssetRejection.SUPPLY_MISMATCH.message(
                            "the series' maximum supply is " + existing.maxSupply());
                }
                if (edition.number() == existing.number()) {
                    return AssetRejection.EDITION_TAKEN.message(
                            "edition " + edition.number() + " is asset " + e.getKey());
                }
            }
        }
        if (edition != null && edition.number() > edition.maxSupply()) {
            return AssetRejection.OVER_SUPPLY.message(
                    "edition " + edition.number() + " of at most " + edition.maxSupply());
        }
        return null;
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Staked.class, (s, e) -> {
                    Map<String, Claim> next = new TreeMap<>(s.claims());
                    next.put(e.asset(), e.claim());
                    return new State(next);
                })
                .build();
    }
}

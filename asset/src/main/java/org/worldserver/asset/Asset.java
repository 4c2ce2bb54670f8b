package org.worldserver.asset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.persistence.ClientIds;
import org.worldserver.persistence.TimerWaits;
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * A digital asset: an event-sourced entity (one per asset id, sharded) with a creator, an owner, its {@link
 * AssetSpec}, a status and its provenance (every owner in order, with the event that made them owner). Every event
 * is sealed into the asset's hash chain, so ownership is provable from the journal.
 *
 * <pre>
 * Mint(spec, owner)                 → Minted (again with the same terms: no event; else asset-exists)
 * Transfer(to, by)                  → OwnerChanged      by the owner, while ACTIVE
 * ListForSale(price, by) / Delist(by)     → Listed / Delisted  by the owner; LISTED ⇄ ACTIVE (a new price re-lists)
 * Lock(trade, buyer, price)         → Locked            a trade reserves a LISTED asset at its price: one trade only
 * Complete(trade)                   → OwnerChanged      the locking trade's buyer becomes owner → ACTIVE
 * Unlock(trade, why)                → Unlocked          the locking trade gave up → LISTED again; a trade that
 *                                                       gives up without a lock is remembered (TradeAbandoned), so
 *                                                       that a late Lock of it is refused
 * Lend(to, until, by)               → Lent              by the owner, while ACTIVE; returns by itself at `until`
 * AddVersion(contentHash, by)       → VersionAdded      models and twins, by the owner or the creator; not while
 *                                                       LOCKED (a buyer pays for the content it saw)
 * Burn(by)                          → Burned            by the owner, while ACTIVE; final
 * </pre>
 *
 * Trade commands are idempotent per trade id (a repeat of what was done is answered as done); every other refusal
 * ({@link AssetRejection}) changes nothing. {@code by} is the identity the caller has proven (the operator API's
 * caller, or a client session's avatar): only the owner may move, list, lend or burn its asset.
 */
public final class Asset extends EventSourcedBehaviorWithEnforcedReplies<Asset.Command, Asset.Event, Asset.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Asset");

    /** Where an asset stands. */
    public enum Status {
        ACTIVE,
        LISTED,
        LOCKED,
        LENT,
        BURNED
    }

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** A command from outside: answered with the asset's summary, or a refusal. */
    public sealed interface Request extends Command {
        ActorRef<StatusReply<Summary>> replyTo();
    }

    /** @param owner the first owner (the creator when null) */
    public record Mint(AssetSpec spec, String owner, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Transfer(String to, String by, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    /** @param price micro-credits */
    public record ListForSale(long price, String by, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Delist(String by, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Lock(String trade, String buyer, long price, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record Complete(String trade, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Unlock(String trade, String reason, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Lend(String to, Instant until, String by, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record AddVersion(String contentHash, String by, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record Burn(String by, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    /** The asset's own timer: a loan has run out. */
    public enum ReturnLent implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {
        ChainLink link();

        Instant at();
    }

    public record Minted(AssetSpec spec, String owner, Instant at, ChainLink link) implements Event, Chained<Minted> {
        @Override
        public Minted withLink(ChainLink l) {
            return new Minted(spec, owner, at, l);
        }
    }

    /** @param how {@code transfer}, or {@code trade:<id>} */
    public record OwnerChanged(String from, String to, String how, Instant at, ChainLink link)
            implements Event, Chained<OwnerChanged> {
        @Override
        public OwnerChanged withLink(ChainLink l) {
            return new OwnerChanged(from, to, how, at, l);
        }
    }

    public record Listed(long price, Instant at, ChainLink link) implements Event, Chained<Listed> {
        @Override
        public Listed withLink(ChainLink l) {
            return new Listed(price, at, l);
        }
    }

    public record Delisted(Instant at, ChainLink link) implements Event, Chained<Delisted> {
        @Override
        public Delisted withLink(ChainLink l) {
            return new Delisted(at, l);
        }
    }

    public record Locked(String trade, String buyer, long price, Instant at, ChainLink link)
            implements Event, Chained<Locked> {
        @Override
        public Locked withLink(ChainLink l) {
            return new Locked(trade, buyer, price, at, l);
        }
    }

    public record Unlocked(String trade, String reason, Instant at, ChainLink link)
            implements Event, Chained<Unlocked> {
        @Override
        public Unlocked withLink(ChainLink l) {
            return new Unlocked(trade, reason, at, l);
        }
    }

    /** A trade gave up before it locked this asset: its late Lock, if any, is refused. */
    public record TradeAbandoned(String trade, String reason, Instant at, ChainLink link)
            implements Event, Chained<TradeAbandoned> {
        @Override
        public TradeAbandoned withLink(ChainLink l) {
            return new TradeAbandoned(trade, reason, at, l);
        }
    }

    public record Lent(String to, Instant until, Instant at, ChainLink link) implements Event, Chained<Lent> {
        @Override
        public Lent withLink(ChainLink l) {
            return new Lent(to, until, at, l);
        }
    }

    public record Returned(String from, Instant at, ChainLink link) implements Event, Chained<Returned> {
        @Override
        public Returned withLink(ChainLink l) {
            return new Returned(from, at, l);
        }
    }

    public record VersionAdded(String contentHash, Instant at, ChainLink link) implements Event, Chained<VersionAdded> {
        @Override
        public VersionAdded withLink(ChainLink l) {
            return new VersionAdded(contentHash, at, l);
        }
    }

    public record Burned(Instant at, ChainLink link) implements Event, Chained<Burned> {
        @Override
        public Burned withLink(ChainLink l) {
            return new Burned(at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    /** One owner in the asset's history: who, since which event (its sequence number), and how. */
    public record Provenance(String owner, long sequence, Instant since, String how) implements CborSerializable {}

    /** The trade holding a listed asset: its buyer at the listing's price. */
    public record TradeLock(String trade, String buyer, long price) implements CborSerializable {}

    public sealed interface State extends CborSerializable {}

    public record Unminted() implements State {}

    /**
     * @param price the listing price while LISTED or LOCKED, micro-credits (0 otherwise)
     * @param trades how each trade that ended on this asset ended, by id: {@code completed} (a repeat of Complete is
     *     answered as done) or {@code abandoned} (a late Lock is refused)
     */
    public record Held(
            AssetSpec spec,
            String owner,
            Status status,
            long price,
            TradeLock lock,
            String lentTo,
            Instant lentUntil,
            List<String> versions,
            List<Provenance> provenance,
            Map<String, String> trades,
            ChainLink last)
            implements State {}

    /** What an asset shows. */
    public record Summary(
            String id,
            AssetSpec spec,
            String owner,
            Status status,
            long price,
            TradeLock lock,
            String lentTo,
            Instant lentUntil,
            List<String> versions,
            List<Provenance> provenance,
            long events,
            String lastHash)
            implements CborSerializable {}

    /** Every asset event carries this tag, so that the metadata index can read them all in order (events by tag). */
    public static final String TAG = "asset";

    private static final String COMPLETED = "completed";
    private static final String ABANDONED = "abandoned";

    /** The longest loan. */
    public static final Duration MAX_LOAN = Duration.ofDays(365);

    private final String id;
    private final Clock clock;
    private final TimerScheduler<Command> timers;

    private Asset(String id, Clock clock, TimerScheduler<Command> timers) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.clock = clock;
        this.timers = timers;
    }

    public static Behavior<Command> create(String id, Clock clock) {
        return Behaviors.withTimers(timers -> new Asset(id, clock, timers));
    }

    @Override
    public State emptyState() {
        return new Unminted();
    }

    // --- commands -------------------------------------------------------------------------------------------

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        var unminted = newCommandHandlerWithReplyBuilder().forStateType(Unminted.class);
        unminted.onCommand(Mint.class, this::onMint)
                .onCommand(ReturnLent.class, (s, c) -> Effect().noReply())
                .onAnyCommand((s, c) -> reject(((Request) c).replyTo(), AssetRejection.UNKNOWN, "no asset " + id));
        var held = newCommandHandlerWithReplyBuilder().forStateType(Held.class);
        held.onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(Mint.class, this::onMintAgain)
                .onCommand(ReturnLent.class, this::onReturn)
                .onCommand(Lock.class, this::onLock)
                .onCommand(Complete.class, this::onComplete)
                .onCommand(Unlock.class, this::onUnlock)
                .onAnyCommand(this::byOwner);
        return unminted.orElse(held).build();
    }

    private ReplyEffect<Event, State> onMint(Unminted s, Mint c) {
        AssetSpec spec = c.spec();
        String refusal = spec == null ? AssetRejection.INVALID.message("a spec is required") : spec.refusal();
        if (refusal != null) {
            return Effect().reply(c.replyTo(), StatusReply.error(refusal));
        }
        String owner = c.owner() == null ? spec.creator() : c.owner();
        if (!ClientIds.valid(owner)) {
            return reject(c.replyTo(), AssetRejection.INVALID, "an owner id (1-128 characters, no ':')");
        }
        Minted minted = HashChain.seal(new Minted(spec, owner, now(), null), null);
        return Effect().persist(minted).thenReply(c.replyTo(), st -> StatusReply.success(summary((Held) st)));
    }

    private ReplyEffect<Event, State> onMintAgain(Held s, Mint c) {
        String owner = c.owner() == null && c.spec() != null ? c.spec().creator() : c.owner();
        boolean same =
                s.spec().equals(c.spec()) && s.provenance().get(0).owner().equals(owner);
        return same
                ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                : reject(c.replyTo(), AssetRejection.EXISTS, "asset " + id + " exists with other terms");
    }

    /** Commands only the owner may give, each allowed in some statuses only. */
    private ReplyEffect<Event, State> byOwner(Held s, Command c) {
        Request request = (Request) c;
        String by = byOf(c);
        boolean mayVersion = c instanceof AddVersion && s.spec().creator().equals(by);
        if (!s.owner().equals(by) && !mayVersion) {
            return reject(request.replyTo(), AssetRejection.NOT_OWNER, by + " does not own asset " + id);
        }
        if (c instanceof Delist delist) {
            if (s.status() == Status.ACTIVE) {
                return Effect().reply(delist.replyTo(), StatusReply.success(summary(s)));
            }
            return s.status() == Status.LISTED
                    ? persist(s, new Delisted(now(), null), delist.replyTo())
                    : refusedByStatus(s, delist.replyTo());
        }
        if (c instanceof ListForSale list) {
            if (list.price() <= 0) {
                return reject(list.replyTo(), AssetRejection.PRICE_INVALID, "a price must be positive");
            }
            if (s.status() == Status.LISTED && s.price() == list.price()) {
                return Effect().reply(list.replyTo(), StatusReply.success(summary(s)));
            }
            return s.status() == Status.ACTIVE || s.status() == Status.LISTED
                    ? persist(s, new Listed(list.price(), now(), null), list.replyTo())
                    : refusedByStatus(s, list.replyTo());
        }
        if (c instanceof AddVersion version) {
            if (s.spec().contentHash() == null) {
                return reject(version.replyTo(), AssetRejection.KIND_MISMATCH, "only models and twins have versions");
            }
            AssetSpec probe = new AssetSpec(
                    AssetSpec.Kind.MODEL, "x", "x", Map.of(), Set.of(), null, null, version.contentHash());
            if (probe.problem() != null) {
                return reject(version.replyTo(), AssetRejection.INVALID, probe.problem());
            }
            if (s.versions().get(s.versions().size() - 1).equals(version.contentHash())) {
                return Effect().reply(version.replyTo(), StatusReply.success(summary(s)));
            }
            return s.status() == Status.BURNED || s.status() == Status.LOCKED
                    ? refusedByStatus(s, version.replyTo())
                    : persist(s, new VersionAdded(version.contentHash(), now(), null), version.replyTo());
        }
        if (s.status() != Status.ACTIVE) {
            return refusedByStatus(s, request.replyTo());
        }
        if (c instanceof Transfer transfer) {
            if (!ClientIds.valid(transfer.to()) || transfer.to().equals(s.owner())) {
                return reject(transfer.replyTo(), AssetRejection.INVALID, "a new owner (not the current one)");
            }
            return persist(s, new OwnerChanged(s.owner(), transfer.to(), "transfer", now(), null), transfer.replyTo());
        }
        if (c instanceof Lend lend) {
            if (!ClientIds.valid(lend.to())
                    || lend.to().equals(s.owner())
                    || lend.until() == null
                    || !lend.until().isAfter(now())
                    || lend.until().isAfter(now().plus(MAX_LOAN))) {
                return reject(
                        lend.replyTo(),
                        AssetRejection.INVALID,
                        "a borrower (not the owner) and a return time within " + MAX_LOAN.toDays() + " days");
            }
            return persist(s, new Lent(lend.to(), lend.until(), now(), null), lend.replyTo());
        }
        if (c instanceof Burn burn) {
            return persist(s, new Burned(now(), null), burn.replyTo());
        }
        throw new IllegalStateException("unhandled " + c);
    }

    private static String byOf(Command c) {
        if (c instanceof Transfer t) {
            return t.by();
        } else if (c instanceof ListForSale l) {
            return l.by();
        } else if (c instanceof Delist d) {
            return d.by();
        } else if (c instanceof Lend l) {
            return l.by();
        } else if (c instanceof AddVersion v) {
            return v.by();
        } else if (c instanceof Burn b) {
            return b.by();
        }
        throw new IllegalStateException("no caller in " + c);
    }

    private ReplyEffect<Event, State> onLock(Held s, Lock c) {
        if (s.lock() != null && s.lock().trade().equals(c.trade())) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        if (s.trades().containsKey(c.trade())) {
            return reject(c.replyTo(), AssetRejection.TRADE_ENDED, "trade " + c.trade() + " has ended here");
        }
        if (s.status() != Status.LISTED) {
            return s.status() == Status.ACTIVE
                    ? reject(c.replyTo(), AssetRejection.NOT_LISTED, "asset " + id + " is not for sale")
                    : refusedByStatus(s, c.replyTo());
        }
        if (s.owner().equals(c.buyer())) {
            return reject(c.replyTo(), AssetRejection.OWN_ASSET, c.buyer() + " owns asset " + id);
        }
        if (s.price() != c.price()) {
            return reject(c.replyTo(), AssetRejection.PRICE_CHANGED, "asset " + id + " is listed at " + s.price());
        }
        return persist(s, new Locked(c.trade(), c.buyer(), c.price(), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onComplete(Held s, Complete c) {
        if (COMPLETED.equals(s.trades().get(c.trade()))) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        if (s.lock() == null || !s.lock().trade().equals(c.trade())) {
            return reject(c.replyTo(), AssetRejection.NOT_LOCKED, "asset " + id + " is not locked by " + c.trade());
        }
        return persist(
                s, new OwnerChanged(s.owner(), s.lock().buyer(), "trade:" + c.trade(), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onUnlock(Held s, Unlock c) {
        if (s.lock() == null || !s.lock().trade().equals(c.trade())) {
            String ended = s.trades().get(c.trade());
            if (COMPLETED.equals(ended)) {
                return reject(c.replyTo(), AssetRejection.NOT_LOCKED, "trade " + c.trade() + " completed");
            }
            if (ABANDONED.equals(ended)) {
                return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
            }
            return persist(s, new TradeAbandoned(c.trade(), reason(c.reason()), now(), null), c.replyTo());
        }
        return persist(s, new Unlocked(c.trade(), reason(c.reason()), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onReturn(Held s, ReturnLent c) {
        if (s.status() != Status.LENT) {
            return Effect().noReply();
        }
        if (now().isBefore(s.lentUntil())) {
            scheduleReturn(s);
            return Effect().noReply();
        }
        Returned returned = HashChain.seal(new Returned(s.lentTo(), now(), null), s.last());
        return Effect().persist(returned).thenNoReply();
    }

    private ReplyEffect<Event, State> refusedByStatus(Held s, ActorRef<StatusReply<Summary>> replyTo) {
        AssetRejection why = switch (s.status()) {
            case LISTED -> AssetRejection.LISTED;
            case LOCKED -> AssetRejection.LOCKED;
            case LENT -> AssetRejection.LENT;
            case BURNED -> AssetRejection.BURNED;
            default -> AssetRejection.NOT_LISTED;
        };
        return reject(replyTo, why, "asset " + id + " is " + s.status());
    }

    // --- events ---------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unminted.class)
                .onEvent(
                        Minted.class,
                        (s, e) -> new Held(
                                e.spec(),
                                e.owner(),
                                Status.ACTIVE,
                                0,
                                null,
                                null,
                                null,
                                e.spec().contentHash() == null
                                        ? List.of()
                                        : List.of(e.spec().contentHash()),
                                List.of(new Provenance(e.owner(), e.link().sequence(), e.at(), "mint")),
                                Map.of(),
                                e.link()));
        builder.forStateType(Held.class).onEvent(Event.class, Asset::apply);
        return builder.build();
    }

    private static State apply(Held s, Event e) {
        String owner = s.owner();
        Status status = s.status();
        long price = s.price();
        TradeLock lock = s.lock();
        String lentTo = s.lentTo();
        Instant lentUntil = s.lentUntil();
        List<String> versions = s.versions();
        List<Provenance> provenance = s.provenance();
        Map<String, String> trades = s.trades();
        if (e instanceof OwnerChanged o) {
            owner = o.to();
            status = Status.ACTIVE;
            price = 0;
            provenance = append(provenance, new Provenance(o.to(), e.link().sequence(), o.at(), o.how()));
            if (lock != null) {
                trades = with(trades, lock.trade(), COMPLETED);
                lock = null;
            }
        } else if (e instanceof Listed l) {
            status = Status.LISTED;
            price = l.price();
        } else if (e instanceof Delisted) {
            status = Status.ACTIVE;
            price = 0;
        } else if (e instanceof Locked l) {
            status = Status.LOCKED;
            lock = new TradeLock(l.trade(), l.buyer(), l.price());
        } else if (e instanceof Unlocked u) {
            status = Status.LISTED;
            lock = null;
            trades = with(trades, u.trade(), ABANDONED);
        } else if (e instanceof TradeAbandoned t) {
            trades = with(trades, t.trade(), ABANDONED);
        } else if (e instanceof Lent l) {
            status = Status.LENT;
            lentTo = l.to();
            lentUntil = l.until();
        } else if (e instanceof Returned) {
            status = Status.ACTIVE;
            lentTo = null;
            lentUntil = null;
        } else if (e instanceof VersionAdded v) {
            versions = append(versions, v.contentHash());
        } else if (e instanceof Burned) {
            status = Status.BURNED;
        }
        return new Held(
                s.spec(), owner, status, price, lock, lentTo, lentUntil, versions, provenance, trades, e.link());
    }

    private static Map<String, String> with(Map<String, String> map, String key, String value) {
        Map<String, String> next = new TreeMap<>(map);
        next.put(key, value);
        return next;
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> next = new ArrayList<>(list);
        next.add(item);
        return List.copyOf(next);
    }

    @Override
    public Set<String> tagsFor(Event event) {
        return Set.of(TAG);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Held h) {
                        scheduleReturn(h);
                    }
                })
                .build();
    }

    // --- helpers --------------------------------------------------------------------------------------------

    private <E extends Event & Chained<E>> ReplyEffect<Event, State> persist(
            Held s, E event, ActorRef<StatusReply<Summary>> replyTo) {
        E sealed = HashChain.seal(event, s.last());
        return Effect()
                .persist((Event) sealed)
                .thenRun(st -> scheduleReturn((Held) st))
                .thenReply(replyTo, st -> StatusReply.success(summary((Held) st)));
    }

    /** While lent, arms the timer for the return (in steps of at most 12 hours). */
    private void scheduleReturn(Held s) {
        if (s.status() != Status.LENT) {
            timers.cancel(ReturnLent.INSTANCE);
            return;
        }
        timers.startSingleTimer(ReturnLent.INSTANCE, TimerWaits.until(now(), s.lentUntil()));
    }

    private Summary summary(Held s) {
        return new Summary(
                id,
                s.spec(),
                s.owner(),
                s.status(),
                s.price(),
                s.lock(),
                s.lentTo(),
                s.lentUntil(),
                s.versions(),
                s.provenance(),
                s.last().sequence(),
                s.last().hash());
    }

    private static String reason(String reason) {
        return reason == null || reason.isBlank() ? "unspecified" : reason.strip();
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, AssetRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

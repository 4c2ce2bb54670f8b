package org.worldserver.timebank;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * A time-bank account: an event-sourced entity (one per account id, sharded) holding attention-time credits in
 * integer micro-credits (1 credit = 1,000,000; never floating point). Every event is sealed into the account's
 * hash chain ({@link HashChain}), so the journal is an audit trail an auditor can verify.
 *
 * <pre>
 * Open(owner, kind, overdraftLimit)      → AccountOpened                     (again, the same: no event; else account-exists)
 * Credit(transferId, amount, from)       → Credited                    (idempotent per transfer id)
 * Hold(holdId, amount, expiresAt, why)   → HoldPlaced                  (reserves: available = balance − held − deposited + overdraft)
 * PinHold(holdId, amount, by)            → HoldPinned                  (owned by coordinator `by` from now on: no expiry)
 * Capture(holdId, to[, by])              → HoldCaptured (balance −= amount)   expired: HoldReleased + hold-expired
 * Release(holdId, why[, by])             → HoldReleased                (idempotent; a captured hold stays captured)
 * LockDeposit(depositId, amount)         → DepositLocked               (a time deposit: its own funds, no overdraft)
 * UnlockDeposit(depositId, why)          → DepositUnlocked             (idempotent; the principal is free again)
 * Mint / Burn(reference, amount, why)    → Minted / Burned             (the operator treasury only; idempotent per reference)
 * Freeze / Unfreeze / Close              → Frozen / Unfrozen / Closed   (close: nothing held, balance 0)
 * Get                                    → Summary
 * </pre>
 *
 * A hold expires by itself: a timer releases it at its expiry (and at recovery, any hold already past it). A hold
 * placed without an expiry belongs to the coordinator whose id is the hold id (a {@link Transfer} holding for
 * itself), a pinned hold to the coordinator that pinned it; a coordinator is certain to capture or release its
 * hold (it is remembered across crashes), and only it may ({@code hold-pinned} for anyone else), so a hold never
 * ends under its coordinator's feet and no one else can move it. A frozen account takes no
 * new holds, deposits, mints or burns; credits, unlocks, and the captures and releases of holds it already placed go
 * on, so that money in flight lands. A closed account refuses everything but Get. Money is conserved: over all
 * accounts, the sum of balances equals minted − burned. Held and deposited credits are still part of their
 * account's balance (its {@code free} part is balance − held − deposited), so equally: free + held + deposited =
 * minted − burned.
 *
 * <p>Every command is answered; a refusal ({@link AccountRejection}) changes nothing.
 */
public final class Account
        extends EventSourcedBehaviorWithEnforcedReplies<Account.Command, Account.Event, Account.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Account");

    /**
     * A snapshot of the state is stored every this many events (the two newest kept), so that an account with a long
     * history recovers from its latest snapshot and the events after it. Events are never deleted: they are the audit
     * trail that statements and verification read.
     */
    public static final int SNAPSHOT_EVERY = 100;

    /** Micro-credits in one credit. */
    public static final long MICROS_PER_CREDIT = 1_000_000L;

    /** Who holds an account. */
    public enum Kind {
        AVATAR,
        VENUE,
        OPERATOR_TREASURY
    }

    /** Whether an account moves money. */
    public enum Status {
        OPEN,
        FROZEN,
        CLOSED
    }

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** A command from outside: answered with the account's summary, or a refusal. */
    public sealed interface Request extends Command {
        ActorRef<StatusReply<Summary>> replyTo();
    }

    /** @param overdraftLimit how far below zero the balance may go, micro-credits (0: not at all) */
    public record Open(String owner, Kind kind, long overdraftLimit, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record Credit(String transferId, long amount, String from, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    /** @param expiresAt when the hold releases itself; null: never (only for a coordinator certain to end it) */
    public record PlaceHold(
            String holdId, long amount, Instant expiresAt, String reason, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    /**
     * Makes an open hold of this amount coordinator {@code by}'s: its expiry is taken off, and only {@code by} may
     * capture or release it from now on (a coordinator does this before it moves any money).
     */
    public record PinHold(String holdId, long amount, String by, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    /**
     * @param to where the captured credits go (for the record; the caller credits it)
     * @param by the coordinator capturing (must be the hold's owner if it has one), or null
     */
    public record Capture(String holdId, String to, String by, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {
        public Capture(String holdId, String to, ActorRef<StatusReply<Summary>> replyTo) {
            this(holdId, to, null, replyTo);
        }
    }

    /** @param by the coordinator releasing (must be the hold's owner if it has one), or null */
    public record Release(String holdId, String reason, String by, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {
        public Release(String holdId, String reason, ActorRef<StatusReply<Summary>> replyTo) {
            this(holdId, reason, null, replyTo);
        }
    }

    public record Mint(String reference, long amount, String reason, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    /** Locks {@code amount} of the free balance for a time deposit ({@link Deposit} drives it). */
    public record LockDeposit(String depositId, long amount, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record UnlockDeposit(String depositId, String reason, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record Burn(String reference, long amount, String reason, ActorRef<StatusReply<Summary>> replyTo)
            implements Request {}

    public record Freeze(String reason, ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Unfreeze(ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Close(ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Request {}

    /** The account's own timer: release the holds whose expiry has passed. */
    public enum ReleaseExpired implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    /** Every event is a link of the account's hash chain. */
    public sealed interface Event extends CborSerializable {
        ChainLink link();

        Instant at();
    }

    public record AccountOpened(String owner, Kind kind, long overdraftLimit, Instant at, ChainLink link)
            implements Event, Chained<AccountOpened> {
        @Override
        public AccountOpened withLink(ChainLink l) {
            return new AccountOpened(owner, kind, overdraftLimit, at, l);
        }
    }

    public record Credited(String transferId, long amount, String from, Instant at, ChainLink link)
            implements Event, Chained<Credited> {
        @Override
        public Credited withLink(ChainLink l) {
            return new Credited(transferId, amount, from, at, l);
        }
    }

    public record HoldPlaced(String holdId, long amount, Instant expiresAt, String reason, Instant at, ChainLink link)
            implements Event, Chained<HoldPlaced> {
        @Override
        public HoldPlaced withLink(ChainLink l) {
            return new HoldPlaced(holdId, amount, expiresAt, reason, at, l);
        }
    }

    public record HoldPinned(String holdId, String by, Instant at, ChainLink link)
            implements Event, Chained<HoldPinned> {
        @Override
        public HoldPinned withLink(ChainLink l) {
            return new HoldPinned(holdId, by, at, l);
        }
    }

    public record HoldCaptured(String holdId, long amount, String to, Instant at, ChainLink link)
            implements Event, Chained<HoldCaptured> {
        @Override
        public HoldCaptured withLink(ChainLink l) {
            return new HoldCaptured(holdId, amount, to, at, l);
        }
    }

    public record HoldReleased(String holdId, long amount, String reason, Instant at, ChainLink link)
            implements Event, Chained<HoldReleased> {
        @Override
        public HoldReleased withLink(ChainLink l) {
            return new HoldReleased(holdId, amount, reason, at, l);
        }
    }

    public record Minted(String reference, long amount, String reason, Instant at, ChainLink link)
            implements Event, Chained<Minted> {
        @Override
        public Minted withLink(ChainLink l) {
            return new Minted(reference, amount, reason, at, l);
        }
    }

    public record Burned(String reference, long amount, String reason, Instant at, ChainLink link)
            implements Event, Chained<Burned> {
        @Override
        public Burned withLink(ChainLink l) {
            return new Burned(reference, amount, reason, at, l);
        }
    }

    public record DepositLocked(String depositId, long amount, Instant at, ChainLink link)
            implements Event, Chained<DepositLocked> {
        @Override
        public DepositLocked withLink(ChainLink l) {
            return new DepositLocked(depositId, amount, at, l);
        }
    }

    public record DepositUnlocked(String depositId, long amount, String reason, Instant at, ChainLink link)
            implements Event, Chained<DepositUnlocked> {
        @Override
        public DepositUnlocked withLink(ChainLink l) {
            return new DepositUnlocked(depositId, amount, reason, at, l);
        }
    }

    public record StatusChanged(Status status, String reason, Instant at, ChainLink link)
            implements Event, Chained<StatusChanged> {
        @Override
        public StatusChanged withLink(ChainLink l) {
            return new StatusChanged(status, reason, at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    /**
     * A hold on part of the balance, until it is captured, released or expires ({@code expiresAt} null: never).
     *
     * @param owner the coordinator that alone may capture or release it, or null (anyone with its id may)
     */
    public record Hold(long amount, Instant expiresAt, String reason, String owner) implements CborSerializable {
        boolean expiredAt(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    /** How a hold ended (and whose it was), remembered so that repeats get the same answer. */
    public record SettledHold(long amount, boolean captured, String owner) implements CborSerializable {}

    public sealed interface State extends CborSerializable {}

    public record Unopened() implements State {}

    /**
     * @param credited amount by transfer id, for every credit taken (a repeat is recognised, a reuse refused)
     * @param references amount by mint or burn reference
     * @param deposits locked amount by deposit id, while locked
     * @param unlocked amount by deposit id, once unlocked (a repeat is recognised, a relock refused)
     */
    public record Opened(
            String owner,
            Kind kind,
            Status status,
            long overdraftLimit,
            long balance,
            long held,
            long deposited,
            long minted,
            long burned,
            Map<String, Hold> holds,
            Map<String, SettledHold> settled,
            Map<String, Long> deposits,
            Map<String, Long> unlocked,
            Map<String, Long> credited,
            Map<String, Long> references,
            ChainLink last)
            implements State {

        /** What is neither held nor deposited (may be negative down to −overdraftLimit). */
        long free() {
            return balance - held - deposited;
        }

        /** free + overdraftLimit, saturating at Long.MAX_VALUE rather than overflowing. */
        long available() {
            long free = free();
            return free > 0 && overdraftLimit > Long.MAX_VALUE - free ? Long.MAX_VALUE : free + overdraftLimit;
        }
    }

    /**
     * What an account shows: amounts in micro-credits (balance = free + held + deposited; available = free +
     * overdraftLimit), its holds and deposits, and the head of its hash chain.
     */
    public record Summary(
            String id,
            String owner,
            Kind kind,
            Status status,
            long balance,
            long free,
            long held,
            long deposited,
            long available,
            long overdraftLimit,
            long minted,
            long burned,
            Map<String, Hold> holds,
            Map<String, Long> deposits,
            long events,
            String lastHash)
            implements CborSerializable {}

    private final String id;
    private final Clock clock;
    private final TimerScheduler<Command> timers;

    private Account(String id, Clock clock, TimerScheduler<Command> timers) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.clock = clock;
        this.timers = timers;
    }

    public static Behavior<Command> create(String id, Clock clock) {
        return Behaviors.withTimers(timers -> new Account(id, clock, timers));
    }

    @Override
    public State emptyState() {
        return new Unopened();
    }

    // --- commands -------------------------------------------------------------------------------------------

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        var unopened = newCommandHandlerWithReplyBuilder().forStateType(Unopened.class);
        unopened.onCommand(Open.class, this::onOpen)
                .onCommand(ReleaseExpired.class, (s, c) -> Effect().noReply())
                .onAnyCommand((s, c) -> reject(((Request) c).replyTo(), AccountRejection.NOT_OPEN, "no account " + id));

        var opened = newCommandHandlerWithReplyBuilder().forStateType(Opened.class);
        opened.onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(ReleaseExpired.class, this::onReleaseExpired)
                .onCommand(Open.class, this::onOpenAgain)
                .onAnyCommand(this::whenOpen);
        return unopened.orElse(opened).build();
    }

    /**
     * The commands of an opened account. Each recognises a repeat of what it already did first and answers it as
     * done, whatever the account's status since (a coordinator resuming after a crash repeats its steps); only new
     * work is refused by a closed account, or by a frozen one when it would take money out ({@link #statusRefusal}).
     */
    private ReplyEffect<Event, State> whenOpen(Opened s, Command c) {
        if (c instanceof Credit credit) {
            return onCredit(s, credit);
        } else if (c instanceof PlaceHold hold) {
            return onHold(s, hold);
        } else if (c instanceof PinHold pin) {
            return onPin(s, pin);
        } else if (c instanceof Capture capture) {
            return onCapture(s, capture);
        } else if (c instanceof Release release) {
            return onRelease(s, release);
        } else if (c instanceof Mint mint) {
            return onMint(s, mint);
        } else if (c instanceof Burn burn) {
            return onBurn(s, burn);
        } else if (c instanceof LockDeposit lock) {
            return onLock(s, lock);
        } else if (c instanceof UnlockDeposit unlock) {
            return onUnlock(s, unlock);
        } else if (c instanceof Freeze freeze) {
            ReplyEffect<Event, State> refused = statusRefusal(s, freeze.replyTo(), true);
            return refused != null
                    ? refused
                    : persist(
                            s,
                            new StatusChanged(Status.FROZEN, reasonOf(freeze.reason()), now(), null),
                            freeze.replyTo());
        } else if (c instanceof Unfreeze unfreeze) {
            ReplyEffect<Event, State> refused = statusRefusal(s, unfreeze.replyTo(), false);
            if (refused != null) {
                return refused;
            }
            return s.status() == Status.OPEN
                    ? Effect().reply(unfreeze.replyTo(), StatusReply.success(summary(s)))
                    : persist(s, new StatusChanged(Status.OPEN, "unfrozen", now(), null), unfreeze.replyTo());
        } else if (c instanceof Close close) {
            ReplyEffect<Event, State> refused = statusRefusal(s, close.replyTo(), false);
            if (refused != null) {
                return refused;
            }
            if (s.balance() != 0 || !s.holds().isEmpty() || !s.deposits().isEmpty()) {
                return reject(
                        close.replyTo(),
                        AccountRejection.NOT_EMPTY,
                        "balance " + s.balance() + ", " + s.holds().size() + " holds and "
                                + s.deposits().size() + " deposits open");
            }
            return persist(s, new StatusChanged(Status.CLOSED, "closed", now(), null), close.replyTo());
        }
        throw new IllegalStateException("unhandled " + c);
    }

    /**
     * Refuses new work on a closed account, and on a frozen one if it {@code takesMoneyOut} (holds, deposits, mints,
     * burns, freezing again); null to go on.
     */
    private ReplyEffect<Event, State> statusRefusal(
            Opened s, ActorRef<StatusReply<Summary>> replyTo, boolean takesMoneyOut) {
        if (s.status() == Status.CLOSED) {
            return reject(replyTo, AccountRejection.CLOSED, "account " + id + " is closed");
        }
        if (s.status() == Status.FROZEN && takesMoneyOut) {
            return reject(replyTo, AccountRejection.FROZEN, "account " + id + " is frozen");
        }
        return null;
    }

    private ReplyEffect<Event, State> onOpen(Unopened s, Open c) {
        if (c.owner() == null || c.owner().isBlank() || c.owner().length() > 128 || c.kind() == null) {
            return reject(c.replyTo(), AccountRejection.INVALID, "an owner (1-128 characters) and a kind are required");
        }
        if (c.overdraftLimit() < 0) {
            return reject(c.replyTo(), AccountRejection.AMOUNT_INVALID, "the overdraft limit must not be negative");
        }
        AccountOpened event =
                HashChain.seal(new AccountOpened(c.owner(), c.kind(), c.overdraftLimit(), now(), null), null);
        return Effect().persist(event).thenReply(c.replyTo(), st -> StatusReply.success(summary((Opened) st)));
    }

    private ReplyEffect<Event, State> onOpenAgain(Opened s, Open c) {
        if (c.owner().equals(s.owner()) && c.kind() == s.kind() && c.overdraftLimit() == s.overdraftLimit()) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        return reject(c.replyTo(), AccountRejection.ALREADY_OPEN, "account " + id + " is open with other terms");
    }

    private ReplyEffect<Event, State> onCredit(Opened s, Credit c) {
        Long before = s.credited().get(c.transferId());
        if (before != null) {
            return before == c.amount()
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(
                            c.replyTo(),
                            AccountRejection.CONFLICT,
                            "transfer " + c.transferId() + " credited " + before);
        }
        ReplyEffect<Event, State> refused = statusRefusal(s, c.replyTo(), false);
        if (refused != null) {
            return refused;
        }
        String problem = amountProblem(c.amount(), s.balance());
        if (problem != null) {
            return reject(c.replyTo(), amountRejection(c.amount()), problem);
        }
        return persist(s, new Credited(c.transferId(), c.amount(), c.from(), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onHold(Opened s, PlaceHold c) {
        Hold open = s.holds().get(c.holdId());
        SettledHold settled = s.settled().get(c.holdId());
        if (open != null || settled != null) {
            // A repeat: the same amount for the same owner (a coordinator's own hold has no expiry; a client's has).
            long amount = open != null ? open.amount() : settled.amount();
            String owner = open != null ? open.owner() : settled.owner();
            String wanted = c.expiresAt() == null ? c.holdId() : null;
            return amount == c.amount() && Objects.equals(owner, wanted)
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(
                            c.replyTo(),
                            AccountRejection.CONFLICT,
                            "hold " + c.holdId() + " is of " + amount + (owner == null ? "" : ", for " + owner));
        }
        ReplyEffect<Event, State> refused = statusRefusal(s, c.replyTo(), true);
        if (refused != null) {
            return refused;
        }
        if (c.amount() <= 0) {
            return reject(c.replyTo(), AccountRejection.AMOUNT_INVALID, "a hold must be positive, was " + c.amount());
        }
        if (c.expiresAt() != null && !c.expiresAt().isAfter(now())) {
            return reject(c.replyTo(), AccountRejection.INVALID, "a hold's expiry must be in the future");
        }
        if (s.available() < c.amount()) {
            return reject(
                    c.replyTo(),
                    AccountRejection.INSUFFICIENT_FUNDS,
                    c.amount() + " wanted, " + s.available() + " available");
        }
        return persist(
                s,
                new HoldPlaced(c.holdId(), c.amount(), c.expiresAt(), reasonOf(c.reason()), now(), null),
                c.replyTo());
    }

    private ReplyEffect<Event, State> onCapture(Opened s, Capture c) {
        Hold hold = s.holds().get(c.holdId());
        if (hold == null) {
            SettledHold settled = s.settled().get(c.holdId());
            if (settled == null) {
                return reject(c.replyTo(), AccountRejection.HOLD_UNKNOWN, "no hold " + c.holdId());
            }
            if (!settled.captured()) {
                return reject(c.replyTo(), AccountRejection.HOLD_RELEASED, "hold " + c.holdId() + " was released");
            }
            return settled.owner() == null || settled.owner().equals(c.by())
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(c.replyTo(), AccountRejection.HOLD_CAPTURED, "hold " + c.holdId() + " was captured");
        }
        if (notOwner(hold, c.by())) {
            return pinned(c.replyTo(), c.holdId(), hold);
        }
        if (hold.expiredAt(now())) {
            Event released =
                    HashChain.seal(new HoldReleased(c.holdId(), hold.amount(), "expired", now(), null), s.last());
            return Effect()
                    .persist(released)
                    .thenReply(
                            c.replyTo(),
                            st -> StatusReply.error(AccountRejection.HOLD_EXPIRED.message(
                                    "hold " + c.holdId() + " expired at " + hold.expiresAt())));
        }
        return persist(s, new HoldCaptured(c.holdId(), hold.amount(), c.to(), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onPin(Opened s, PinHold c) {
        if (c.by() == null || c.by().isBlank()) {
            return reject(c.replyTo(), AccountRejection.INVALID, "a hold is pinned by a coordinator");
        }
        Hold hold = s.holds().get(c.holdId());
        if (hold == null) {
            SettledHold settled = s.settled().get(c.holdId());
            if (settled == null) {
                return reject(c.replyTo(), AccountRejection.HOLD_UNKNOWN, "no hold " + c.holdId());
            }
            return c.by().equals(settled.owner())
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s))) // it pinned it, then it ended
                    : reject(
                            c.replyTo(),
                            settled.captured() ? AccountRejection.HOLD_CAPTURED : AccountRejection.HOLD_RELEASED,
                            "hold " + c.holdId() + " has ended");
        }
        if (hold.amount() != c.amount()) {
            return reject(c.replyTo(), AccountRejection.CONFLICT, "hold " + c.holdId() + " is of " + hold.amount());
        }
        if (hold.owner() != null) {
            return hold.owner().equals(c.by())
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : pinned(c.replyTo(), c.holdId(), hold);
        }
        if (hold.expiredAt(now())) {
            return reject(c.replyTo(), AccountRejection.HOLD_EXPIRED, "hold " + c.holdId() + " has expired");
        }
        return persist(s, new HoldPinned(c.holdId(), c.by(), now(), null), c.replyTo());
    }

    private static boolean notOwner(Hold hold, String by) {
        return hold.owner() != null && !hold.owner().equals(by);
    }

    private ReplyEffect<Event, State> pinned(ActorRef<StatusReply<Summary>> replyTo, String holdId, Hold hold) {
        return reject(replyTo, AccountRejection.HOLD_PINNED, "hold " + holdId + " belongs to transfer " + hold.owner());
    }

    private ReplyEffect<Event, State> onLock(Opened s, LockDeposit c) {
        Long locked = s.deposits().get(c.depositId());
        Long before = locked != null ? locked : s.unlocked().get(c.depositId());
        if (before != null) {
            return before == c.amount() && locked != null
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(
                            c.replyTo(),
                            AccountRejection.CONFLICT,
                            "deposit " + c.depositId() + " was " + (locked != null ? "locked" : "unlocked") + " for "
                                    + before);
        }
        ReplyEffect<Event, State> refused = statusRefusal(s, c.replyTo(), true);
        if (refused != null) {
            return refused;
        }
        if (c.amount() <= 0) {
            return reject(
                    c.replyTo(), AccountRejection.AMOUNT_INVALID, "a deposit must be positive, was " + c.amount());
        }
        if (s.free() < c.amount()) {
            return reject(
                    c.replyTo(),
                    AccountRejection.INSUFFICIENT_FUNDS,
                    c.amount() + " to deposit, " + Math.max(0, s.free()) + " free (a deposit cannot be overdrawn)");
        }
        return persist(s, new DepositLocked(c.depositId(), c.amount(), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onUnlock(Opened s, UnlockDeposit c) {
        Long locked = s.deposits().get(c.depositId());
        if (locked == null) {
            return s.unlocked().containsKey(c.depositId())
                    ? Effect().reply(c.replyTo(), StatusReply.success(summary(s)))
                    : reject(c.replyTo(), AccountRejection.DEPOSIT_UNKNOWN, "no deposit " + c.depositId());
        }
        return persist(s, new DepositUnlocked(c.depositId(), locked, reasonOf(c.reason()), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onRelease(Opened s, Release c) {
        Hold hold = s.holds().get(c.holdId());
        if (hold != null && notOwner(hold, c.by())) {
            return pinned(c.replyTo(), c.holdId(), hold);
        }
        if (hold == null) {
            SettledHold settled = s.settled().get(c.holdId());
            if (settled == null) {
                return reject(c.replyTo(), AccountRejection.HOLD_UNKNOWN, "no hold " + c.holdId());
            }
            return settled.captured()
                    ? reject(c.replyTo(), AccountRejection.HOLD_CAPTURED, "hold " + c.holdId() + " was captured")
                    : Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        return persist(s, new HoldReleased(c.holdId(), hold.amount(), reasonOf(c.reason()), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onMint(Opened s, Mint c) {
        ReplyEffect<Event, State> refused = referenceCheck(s, c.reference(), c.amount(), c.replyTo());
        if (refused == null) {
            refused = statusRefusal(s, c.replyTo(), true);
        }
        if (refused != null) {
            return refused;
        }
        String problem = amountProblem(c.amount(), Math.max(s.balance(), s.minted()));
        if (problem != null) {
            return reject(c.replyTo(), amountRejection(c.amount()), problem);
        }
        return persist(s, new Minted(c.reference(), c.amount(), reasonOf(c.reason()), now(), null), c.replyTo());
    }

    private ReplyEffect<Event, State> onBurn(Opened s, Burn c) {
        ReplyEffect<Event, State> refused = referenceCheck(s, c.reference(), c.amount(), c.replyTo());
        if (refused == null) {
            refused = statusRefusal(s, c.replyTo(), true);
        }
        if (refused != null) {
            return refused;
        }
        if (c.amount() <= 0) {
            return reject(c.replyTo(), AccountRejection.AMOUNT_INVALID, "must be positive, was " + c.amount());
        }
        if (s.free() < c.amount()) {
            return reject(
                    c.replyTo(), AccountRejection.INSUFFICIENT_FUNDS, c.amount() + " to burn, " + s.free() + " free");
        }
        return persist(s, new Burned(c.reference(), c.amount(), reasonOf(c.reason()), now(), null), c.replyTo());
    }

    /** Only the treasury mints and burns, once per reference: null to go on, else the answer. */
    private ReplyEffect<Event, State> referenceCheck(
            Opened s, String reference, long amount, ActorRef<StatusReply<Summary>> replyTo) {
        if (s.kind() != Kind.OPERATOR_TREASURY) {
            return reject(replyTo, AccountRejection.NOT_TREASURY, "only the operator treasury mints and burns");
        }
        if (reference == null || reference.isBlank()) {
            return reject(replyTo, AccountRejection.INVALID, "a source reference is required");
        }
        Long before = s.references().get(reference);
        if (before == null) {
            return null;
        }
        return before == amount
                ? Effect().reply(replyTo, StatusReply.success(summary(s)))
                : reject(replyTo, AccountRejection.CONFLICT, "reference " + reference + " was for " + before);
    }

    private ReplyEffect<Event, State> onReleaseExpired(Opened s, ReleaseExpired c) {
        Instant now = now();
        ChainLink last = s.last();
        List<Event> releases = new ArrayList<>();
        for (Map.Entry<String, Hold> e : s.holds().entrySet()) {
            if (e.getValue().expiredAt(now)) {
                HoldReleased released =
                        HashChain.seal(new HoldReleased(e.getKey(), e.getValue().amount(), "expired", now, null), last);
                releases.add(released);
                last = released.link();
            }
        }
        if (releases.isEmpty()) {
            scheduleExpiry(s);
            return Effect().noReply();
        }
        return Effect()
                .persist(releases)
                .thenRun(st -> scheduleExpiry((Opened) st))
                .thenNoReply();
    }

    // --- events ---------------------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unopened.class)
                .onEvent(
                        AccountOpened.class,
                        (s, e) -> new Opened(
                                e.owner(),
                                e.kind(),
                                Status.OPEN,
                                e.overdraftLimit(),
                                0,
                                0,
                                0,
                                0,
                                0,
                                Map.of(),
                                Map.of(),
                                Map.of(),
                                Map.of(),
                                Map.of(),
                                Map.of(),
                                e.link()));
        builder.forStateType(Opened.class).onEvent(Event.class, Account::apply);
        return builder.build();
    }

    private static State apply(Opened s, Event e) {
        Map<String, Hold> holds = s.holds();
        Map<String, SettledHold> settled = s.settled();
        Map<String, Long> deposits = s.deposits();
        Map<String, Long> unlocked = s.unlocked();
        Map<String, Long> credited = s.credited();
        Map<String, Long> references = s.references();
        long balance = s.balance();
        long held = s.held();
        long deposited = s.deposited();
        long minted = s.minted();
        long burned = s.burned();
        Status status = s.status();
        if (e instanceof Credited c) {
            balance += c.amount();
            credited = put(credited, c.transferId(), c.amount());
        } else if (e instanceof HoldPlaced h) {
            held += h.amount();
            // A hold without an expiry is its placing coordinator's, whose id is the hold's.
            String owner = h.expiresAt() == null ? h.holdId() : null;
            holds = put(holds, h.holdId(), new Hold(h.amount(), h.expiresAt(), h.reason(), owner));
        } else if (e instanceof HoldPinned p) {
            Hold hold = holds.get(p.holdId());
            holds = put(holds, p.holdId(), new Hold(hold.amount(), null, hold.reason(), p.by()));
        } else if (e instanceof HoldCaptured h) {
            held -= h.amount();
            balance -= h.amount();
            settled = put(
                    settled,
                    h.holdId(),
                    new SettledHold(h.amount(), true, holds.get(h.holdId()).owner()));
            holds = remove(holds, h.holdId());
        } else if (e instanceof HoldReleased h) {
            held -= h.amount();
            settled = put(
                    settled,
                    h.holdId(),
                    new SettledHold(h.amount(), false, holds.get(h.holdId()).owner()));
            holds = remove(holds, h.holdId());
        } else if (e instanceof Minted m) {
            balance += m.amount();
            minted += m.amount();
            references = put(references, m.reference(), m.amount());
        } else if (e instanceof Burned b) {
            balance -= b.amount();
            burned += b.amount();
            references = put(references, b.reference(), b.amount());
        } else if (e instanceof DepositLocked d) {
            deposited += d.amount();
            deposits = put(deposits, d.depositId(), d.amount());
        } else if (e instanceof DepositUnlocked d) {
            deposited -= d.amount();
            deposits = remove(deposits, d.depositId());
            unlocked = put(unlocked, d.depositId(), d.amount());
        } else if (e instanceof StatusChanged c) {
            status = c.status();
        }
        return new Opened(
                s.owner(),
                s.kind(),
                status,
                s.overdraftLimit(),
                balance,
                held,
                deposited,
                minted,
                burned,
                holds,
                settled,
                deposits,
                unlocked,
                credited,
                references,
                e.link());
    }

    private static <V> Map<String, V> put(Map<String, V> map, String key, V value) {
        Map<String, V> next = new TreeMap<>(map);
        next.put(key, value);
        return next;
    }

    private static <V> Map<String, V> remove(Map<String, V> map, String key) {
        Map<String, V> next = new TreeMap<>(map);
        next.remove(key);
        return next;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Opened opened) {
                        scheduleExpiry(opened);
                    }
                })
                .build();
    }

    // --- helpers --------------------------------------------------------------------------------------------

    /** Persists {@code event} sealed after the account's last link, then answers with the new summary. */
    private <E extends Event & Chained<E>> ReplyEffect<Event, State> persist(
            Opened s, E event, ActorRef<StatusReply<Summary>> replyTo) {
        E sealed = HashChain.seal(event, s.last());
        return Effect()
                .persist((Event) sealed)
                .thenRun(st -> scheduleExpiry((Opened) st))
                .thenReply(replyTo, st -> StatusReply.success(summary((Opened) st)));
    }

    /** (Re)arms the timer for the earliest hold expiry, or cancels it when nothing is held. */
    private void scheduleExpiry(Opened s) {
        Instant earliest = null;
        for (Hold h : s.holds().values()) {
            if (h.expiresAt() != null && (earliest == null || h.expiresAt().isBefore(earliest))) {
                earliest = h.expiresAt();
            }
        }
        if (earliest == null) {
            timers.cancel(ReleaseExpired.INSTANCE);
        } else {
            Duration wait = Duration.between(now(), earliest);
            timers.startSingleTimer(ReleaseExpired.INSTANCE, wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    private Summary summary(Opened s) {
        return new Summary(
                id,
                s.owner(),
                s.kind(),
                s.status(),
                s.balance(),
                s.free(),
                s.held(),
                s.deposited(),
                s.available(),
                s.overdraftLimit(),
                s.minted(),
                s.burned(),
                s.holds(),
                s.deposits(),
                s.last() == null ? 0 : s.last().sequence(),
                s.last() == null ? HashChain.GENESIS : s.last().hash());
    }

    /** Why {@code amount} cannot be added to {@code to}, or null: it must be positive and not overflow. */
    private static String amountProblem(long amount, long to) {
        if (amount <= 0) {
            return "must be positive, was " + amount;
        }
        try {
            Math.addExact(to, amount);
            return null;
        } catch (ArithmeticException e) {
            return amount + " more would overflow " + to;
        }
    }

    private static AccountRejection amountRejection(long amount) {
        return amount <= 0 ? AccountRejection.AMOUNT_INVALID : AccountRejection.AMOUNT_OVERFLOW;
    }

    private static String reasonOf(String reason) {
        return reason == null || reason.isBlank() ? "unspecified" : reason.strip();
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, AccountRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

package org.worldserver.asset;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
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
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.AccountRejection;
import org.worldserver.timebank.Bank;
import org.worldserver.timebank.Transfer;

/**
 * A purchase of a listed asset as a saga: an event-sourced coordinator, one per trade id (the buyer's client chooses
 * it), remembered by its shard until it ends, so that a crash never leaves a trade half done.
 *
 * <pre>
 * Buy(asset, buyer, price) → Requested (with the operator's fee on the price, fixed now; none for the treasury)
 *   REQUESTED  hold the price on the buyer's account, expiring after holdFor: the seller's part (hold
 *              trade:&lt;id&gt;), then the fee (hold trade:&lt;id&gt;:fee; none without a fee)
 *                                                     refused → VOIDED (with a fee: UNHOLDING, the holds released, → VOIDED)
 *   HELD       lock the asset for this trade at that price (one trade at a time)     refused → RELEASING → VOIDED
 *              (RELEASING: the asset marks the trade abandoned, so a late lock of it is refused; the holds are released)
 *   LOCKED     pin the fee hold for its transfer, then pay: transfer trade:&lt;id&gt; moves the seller's part to the
 *              seller                                                       refused or voided → UNLOCKING → VOIDED
 *              (UNLOCKING: the asset is unlocked and the holds released)
 *   PAID       pay the fee: transfer trade:&lt;id&gt;:fee moves the fee hold into the treasury → FEE_PAID
 *              (none without a fee; should the treasury refuse it, the fee is waived, with the reason, and the hold
 *              released to the buyer: the sale stands)
 *   FEE_PAID   the buyer becomes the owner (the asset is locked for this trade: it cannot be refused) → COMPLETED
 * </pre>
 *
 * The asset is paid for before it changes hands, and it is locked before it is paid for: at every point of a crash
 * either the buyer still has the credits (held, then released) and the seller the asset, or the seller has the
 * credits and the asset is the buyer's once the saga resumes. Two buyers racing for one listing both hold; the asset
 * locks for one, the other's hold is released. Every step is idempotent and asked one at a time, again after
 * {@code retry} when unanswered; each step reached is persisted, and recovery resumes it.
 */
public final class Trade extends EventSourcedBehaviorWithEnforcedReplies<Trade.Command, Trade.Event, Trade.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Trade");

    /** Where a trade stands. */
    public enum Phase {
        REQUESTED,
        HELD,
        LOCKED,
        PAID,
        FEE_PAID,
        COMPLETED,
        UNHOLDING,
        RELEASING,
        UNLOCKING,
        VOIDED;

        boolean ended() {
            return this == COMPLETED || this == VOIDED;
        }
    }

    /** How the saga reaches assets (Cluster Sharding on a node; plain actors in tests). */
    public interface Assets {
        CompletionStage<StatusReply<Asset.Summary>> asset(
                String id, Function<ActorRef<StatusReply<Asset.Summary>>, Asset.Command> command);
    }

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** @param price the listing price the buyer agrees to, micro-credits; answered once COMPLETED or VOIDED */
    public record Buy(String asset, String buyer, long price, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** The answer to ask number {@code ask}; {@code seller} is the asset's owner when a lock was granted. */
    public record StepAnswered(long ask, boolean ok, String refusal, String seller) implements Command {}

    public record Unanswered(long ask) implements Command {}

    public enum Retry implements Command {
        INSTANCE
    }

    /** A trade that never started has been idle for a while: it leaves (so that it is not remembered for ever). */
    public enum Idle implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {
        ChainLink link();
    }

    /**
     * @param fee the operator's part of the price, micro-credits (the seller gets {@code price - fee}); left out of
     *     the serialized event when 0, so that events from before fees existed keep their hashes
     */
    public record Requested(
            String asset,
            String buyer,
            long price,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) long fee,
            Instant at,
            ChainLink link)
            implements Event, Chained<Requested> {
        @Override
        public Requested withLink(ChainLink l) {
            return new Requested(asset, buyer, price, fee, at, l);
        }
    }

    /**
     * @param seller the owner that locked the asset for this trade (LOCKED only)
     * @param reason why the trade was voided (VOIDED, RELEASING, UNLOCKING), or why its fee was waived (FEE_PAID)
     */
    public record Advanced(Phase phase, String reason, String seller, Instant at, ChainLink link)
            implements Event, Chained<Advanced> {
        @Override
        public Advanced withLink(ChainLink l) {
            return new Advanced(phase, reason, seller, at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    public sealed interface State extends CborSerializable {}

    public record Unrequested() implements State {}

    public record Underway(
            String asset, String buyer, long price, long fee, String seller, Phase phase, String reason, ChainLink last)
            implements State {}

    /**
     * A trade as its buyer sees it.
     *
     * @param fee the operator's part of {@code price}, micro-credits; the seller receives the rest
     * @param reason why it was voided, or why its fee was waived (a completed trade), else null
     */
    public record Summary(
            String id, String asset, String buyer, String seller, long price, long fee, Phase phase, String reason)
            implements CborSerializable {}

    /** The hold on the buyer's account of the seller's part, and the transfer that pays the seller with it. */
    public static String holdId(String tradeId) {
        return "trade:" + tradeId;
    }

    /** The hold on the buyer's account of the operator's fee, and the transfer that pays the treasury with it. */
    public static String feeHoldId(String tradeId) {
        return holdId(tradeId) + ":fee";
    }

    private final String id;
    private final Bank bank;
    private final Assets assets;
    private final Clock clock;
    private final Duration retry;
    private final Duration holdFor;
    private final OperatorFee fee;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Consumer<ActorRef<Command>> ended;
    private final List<ActorRef<StatusReply<Summary>>> waiting = new ArrayList<>();
    private long asks;
    private boolean asking;
    /** An unstarted trade asked its shard to stop it: a Buy now is answered "try again" (a new one will take it). */
    private boolean leaving;

    /** How long a trade that never started stays (asked for by id, or woken by its shard) before it leaves. */
    private static final Duration IDLE_AFTER = Duration.ofSeconds(30);

    private Trade(
            String id,
            Bank bank,
            Assets assets,
            Clock clock,
            Duration retry,
            Duration holdFor,
            OperatorFee fee,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Consumer<ActorRef<Command>> ended) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.bank = bank;
        this.assets = assets;
        this.clock = clock;
        this.retry = retry;
        this.holdFor = holdFor;
        this.fee = fee;
        this.context = context;
        this.timers = timers;
        this.ended = ended;
    }

    /**
     * @param holdFor how long the buyer's holds last if the saga stalls before paying (each is pinned when paid)
     * @param fee the operator's fee on new trades (a trade keeps the fee it started with)
     * @param ended told the trade's own reference once it has ended: on a node, it asks its shard to passivate it
     */
    public static Behavior<Command> create(
            String id,
            Bank bank,
            Assets assets,
            Clock clock,
            Duration retry,
            Duration holdFor,
            OperatorFee fee,
            Consumer<ActorRef<Command>> ended) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new Trade(id, bank, assets, clock, retry, holdFor, fee, context, timers, ended)));
    }

    @Override
    public State emptyState() {
        return new Unrequested();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        var unrequested = newCommandHandlerWithReplyBuilder().forStateType(Unrequested.class);
        unrequested
                .onCommand(Buy.class, this::onBuy)
                .onCommand(Get.class, (s, c) -> reject(c.replyTo(), TradeRejection.UNKNOWN, "no trade " + id))
                .onCommand(Idle.class, (s, c) -> {
                    leaving = true;
                    ended.accept(context.getSelf());
                    return Effect().noReply();
                })
                .onAnyCommand((s, c) -> Effect().noReply());
        var underway = newCommandHandlerWithReplyBuilder().forStateType(Underway.class);
        underway.onCommand(Buy.class, this::onBuyAgain)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(StepAnswered.class, this::onAnswer)
                .onCommand(Unanswered.class, (s, c) -> {
                    if (c.ask() == asks) {
                        asking = false;
                        timers.startSingleTimer(Retry.INSTANCE, retry);
                    }
                    return Effect().noReply();
                })
                .onCommand(Retry.class, (s, c) -> {
                    askStep(s);
                    return Effect().noReply();
                })
                .onCommand(Idle.class, (s, c) -> Effect().noReply());
        return unrequested.orElse(underway).build();
    }

    private ReplyEffect<Event, State> onBuy(Unrequested s, Buy c) {
        if (leaving) {
            return Effect().reply(c.replyTo(), StatusReply.error("world-busy: trade " + id + " is moving; try again"));
        }
        if (!ClientIds.valid(id) || !ClientIds.valid(c.asset()) || !ClientIds.valid(c.buyer())) {
            return reject(c.replyTo(), TradeRejection.INVALID, "a trade, an asset and a buyer (ids without ':')");
        }
        if (c.price() <= 0) {
            return reject(c.replyTo(), TradeRejection.INVALID, "the price must be positive");
        }
        waiting.add(c.replyTo());
        timers.cancel(Idle.INSTANCE);
        long operatorFee = c.buyer().equals(fee.treasury()) ? 0 : fee.on(c.price()); // no fee to itself
        Requested requested =
                HashChain.seal(new Requested(c.asset(), c.buyer(), c.price(), operatorFee, now(), null), null);
        return Effect().persist(requested).thenRun(st -> askStep((Underway) st)).thenNoReply();
    }

    private ReplyEffect<Event, State> onBuyAgain(Underway s, Buy c) {
        if (!s.asset().equals(c.asset()) || !s.buyer().equals(c.buyer()) || s.price() != c.price()) {
            return reject(
                    c.replyTo(),
                    TradeRejection.ID_REUSED,
                    "trade " + id + " is " + s.buyer() + " buying " + s.asset() + " for " + s.price());
        }
        if (s.phase().ended()) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        waiting.add(c.replyTo());
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onAnswer(Underway s, StepAnswered a) {
        if (a.ask() != asks || !asking || s.phase().ended()) {
            return Effect().noReply();
        }
        asking = false;
        switch (s.phase()) {
            case REQUESTED: // with a fee, a refusal may have come after the seller's part was held: release it
                return a.ok()
                        ? advance(s, Phase.HELD, null, null)
                        : advance(s, s.fee() > 0 ? Phase.UNHOLDING : Phase.VOIDED, a.refusal(), null);
            case HELD:
                return a.ok()
                        ? advance(s, Phase.LOCKED, null, a.seller())
                        : advance(s, Phase.RELEASING, a.refusal(), null);
            case LOCKED:
                return a.ok() ? advance(s, Phase.PAID, null, null) : advance(s, Phase.UNLOCKING, a.refusal(), null);
            case PAID: // always answered ok: a fee the treasury refuses is waived (a.refusal() says why)
                if (a.refusal() != null) {
                    context.getLog().warn("Trade {}: the operator fee was waived: {}", id, a.refusal());
                }
                return advance(s, Phase.FEE_PAID, a.refusal(), null);
            case FEE_PAID:
                return a.ok() ? advance(s, Phase.COMPLETED, null, null) : stuck(s, a);
            case UNHOLDING:
            case RELEASING:
            case UNLOCKING:
                return a.ok() ? advance(s, Phase.VOIDED, s.reason(), null) : stuck(s, a);
            default:
                return Effect().noReply();
        }
    }

    /** A step that cannot be refused was: say so loudly and keep asking. */
    private ReplyEffect<Event, State> stuck(Underway s, StepAnswered a) {
        context.getLog().error("Trade {}: step {} refused: {}", id, s.phase(), a.refusal());
        timers.startSingleTimer(Retry.INSTANCE, retry);
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> advance(Underway s, Phase next, String reason, String seller) {
        Advanced event = HashChain.seal(new Advanced(next, reason, seller, now(), null), s.last());
        return Effect()
                .persist(event)
                .thenRun(st -> {
                    Underway u = (Underway) st;
                    if (u.phase().ended()) {
                        timers.cancel(Retry.INSTANCE);
                        waiting.forEach(w -> w.tell(StatusReply.success(summary(u))));
                        waiting.clear();
                        ended.accept(context.getSelf());
                    } else {
                        askStep(u);
                    }
                })
                .thenNoReply();
    }

    /** Asks for the current step unless an ask is out. */
    private void askStep(Underway s) {
        if (s.phase().ended() || asking) {
            return;
        }
        asking = true;
        long ask = ++asks;
        String hold = holdId(id);
        CompletionStage<StepAnswered> answer = switch (s.phase()) {
            case REQUESTED -> answered(ask, placeHolds(s));
            case HELD ->
                assets.asset(s.asset(), r -> new Asset.Lock(id, s.buyer(), s.price(), r))
                        .thenApply(reply -> reply.isSuccess()
                                ? new StepAnswered(
                                        ask, true, null, reply.getValue().owner())
                                : new StepAnswered(ask, false, reply.getError().getMessage(), null));
            case LOCKED ->
                pinFee(s)
                        .thenCompose(pinned -> pinned.isError()
                                ? CompletableFuture.completedFuture(
                                        pinned.getError().getMessage())
                                : pay(hold, s.buyer(), s.seller(), s.price() - s.fee()))
                        .thenApply(voided -> new StepAnswered(ask, voided == null, voided, null));
            case PAID -> payFee(s).thenApply(waived -> new StepAnswered(ask, true, waived, null));
            case FEE_PAID -> answered(ask, assets.asset(s.asset(), r -> new Asset.Complete(id, r)));
            case UNHOLDING -> answered(ask, releaseHolds(s)); // no lock was ever asked for: the asset is not told
            case RELEASING ->
                // The asset marks the trade abandoned (an asset never minted has nothing to mark), then the holds go.
                assets.asset(s.asset(), r -> new Asset.Unlock(id, s.reason(), r))
                        .thenCompose(marked -> marked.isError()
                                        && !marked.getError().getMessage().startsWith(AssetRejection.UNKNOWN.code())
                                ? answered(ask, CompletableFuture.completedFuture(marked))
                                : answered(ask, releaseHolds(s)));
            default -> // UNLOCKING: the seller was not paid
                answered(ask, assets.asset(s.asset(), r -> new Asset.Unlock(id, s.reason(), r)))
                        .thenCompose(unlocked -> unlocked.ok()
                                ? answered(ask, releaseHolds(s))
                                : CompletableFuture.completedFuture(unlocked));
        };
        context.pipeToSelf(answer, (a, failure) -> failure != null ? new Unanswered(ask) : a);
    }

    /**
     * Places the buyer's holds: the seller's part, then the fee (if any). A refusal of either is answered (the trade
     * then releases whatever was held, UNHOLDING); a repeat of this step after a crash finds what it placed.
     */
    private CompletionStage<StatusReply<Account.Summary>> placeHolds(Underway s) {
        Instant expires = now().plus(holdFor);
        String why = "buying asset " + s.asset();
        CompletionStage<StatusReply<Account.Summary>> seller =
                bank.account(s.buyer(), r -> new Account.PlaceHold(holdId(id), s.price() - s.fee(), expires, why, r));
        if (s.fee() == 0) {
            return seller;
        }
        return seller.thenCompose(held -> held.isError()
                ? CompletableFuture.completedFuture(held)
                : bank.account(
                        s.buyer(),
                        r -> new Account.PlaceHold(feeHoldId(id), s.fee(), expires, why + " (operator fee)", r)));
    }

    /**
     * Pins the fee hold for the transfer that will pay it (none without a fee) before the seller is paid, so that the
     * fee cannot expire once the sale is under way; a refusal (it expired while the trade was stalled) is answered.
     */
    private CompletionStage<StatusReply<Account.Summary>> pinFee(Underway s) {
        return s.fee() == 0
                ? CompletableFuture.completedFuture(StatusReply.success(null))
                : bank.account(s.buyer(), r -> new Account.PinHold(feeHoldId(id), s.fee(), feePayer(), r));
    }

    /** The fee transfer as accounts know it: the owner of the fee hold once pinned. */
    private String feePayer() {
        return Transfer.holder(feeHoldId(id));
    }

    /**
     * Moves hold {@code hold} of {@code from} to {@code to} by transfer {@code hold}; completes with null once it
     * posted, with the reason once it was voided (the transfer then released the hold), or fails unanswered.
     */
    private CompletionStage<String> pay(String hold, String from, String to, long amount) {
        return bank.transfer(hold, r -> new Transfer.Start(from, to, amount, hold, r))
                .thenApply(reply -> reply.isError()
                        ? reply.getError().getMessage()
                        : reply.getValue().phase() == Transfer.Phase.POSTED
                                ? null
                                : reply.getValue().reason());
    }

    /**
     * Pays the fee hold into the treasury; completes with null once paid (or with no fee), else with why the fee was
     * waived (the treasury refused it, or the transfer was refused) once the fee hold is released to the buyer.
     */
    private CompletionStage<String> payFee(Underway s) {
        if (s.fee() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return pay(feeHoldId(id), s.buyer(), fee.treasury(), s.fee())
                .thenCompose(voided -> voided == null
                        ? CompletableFuture.completedFuture(null)
                        : releaseFee(s, "fee waived: " + voided).thenApply(released -> {
                            if (released.isError()) { // unanswered: the step is asked again, and pays or waives again
                                throw new IllegalStateException(
                                        released.getError().getMessage());
                            }
                            return "fee-waived: " + voided;
                        }));
    }

    /**
     * Releases the seller's part and the fee hold (if any), each answered as done when it was never placed or has
     * ended without being captured (a voided transfer released it, it expired, or an earlier ask did).
     */
    private CompletionStage<StatusReply<Account.Summary>> releaseHolds(Underway s) {
        String why = "trade " + id + ": " + s.reason();
        return released(bank.account(s.buyer(), r -> new Account.Release(holdId(id), why, r)))
                .thenCompose(seller -> seller.isError() || s.fee() == 0
                        ? CompletableFuture.completedFuture(seller)
                        : releaseFee(s, why));
    }

    /** Releases the fee hold as the fee transfer it may have been pinned for (it never started, or was voided). */
    private CompletionStage<StatusReply<Account.Summary>> releaseFee(Underway s, String why) {
        return released(bank.account(s.buyer(), r -> new Account.Release(feeHoldId(id), why, feePayer(), r)));
    }

    /** A release's answer, with "no such hold" (never placed) counted as released. */
    private static CompletionStage<StatusReply<Account.Summary>> released(
            CompletionStage<StatusReply<Account.Summary>> release) {
        return release.thenApply(r ->
                r.isError() && r.getError().getMessage().startsWith(AccountRejection.HOLD_UNKNOWN.code() + ":")
                        ? StatusReply.success(null)
                        : r);
    }

    /** An entity's answer (an account's or an asset's) as the answer to ask number {@code ask}. */
    private static CompletionStage<StepAnswered> answered(long ask, CompletionStage<? extends StatusReply<?>> reply) {
        return reply.thenApply(r -> r.isSuccess()
                ? new StepAnswered(ask, true, null, null)
                : new StepAnswered(ask, false, r.getError().getMessage(), null));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unrequested.class)
                .onEvent(
                        Requested.class,
                        (s, e) -> new Underway(
                                e.asset(), e.buyer(), e.price(), e.fee(), null, Phase.REQUESTED, null, e.link()));
        builder.forStateType(Underway.class)
                .onEvent(
                        Advanced.class,
                        (s, e) -> new Underway(
                                s.asset(),
                                s.buyer(),
                                s.price(),
                                s.fee(),
                                e.seller() != null ? e.seller() : s.seller(),
                                e.phase(),
                                e.reason() != null ? e.reason() : s.reason(),
                                e.link()));
        return builder.build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Underway u && !u.phase().ended()) {
                        askStep(u); // resume the step the crash interrupted
                    } else if (s instanceof Underway) {
                        ended.accept(context.getSelf()); // woken to be asked: answer, then go
                    } else {
                        // Never started: a Buy is most likely on its way; if none comes, go after a while.
                        timers.startSingleTimer(Idle.INSTANCE, IDLE_AFTER);
                    }
                })
                .build();
    }

    private Summary summary(Underway s) {
        return new Summary(
                id,
                s.asset(),
                s.buyer(),
                s.seller(),
                s.price(),
                s.fee(),
                s.phase(),
                s.phase() == Phase.VOIDED || s.phase() == Phase.COMPLETED ? s.reason() : null);
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, TradeRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

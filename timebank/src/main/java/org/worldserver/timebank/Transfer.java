package org.worldserver.timebank;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * A transfer between two accounts with exactly-once effect: an event-sourced coordinator, one per transfer id (the
 * client chooses it), that drives the accounts through two phases and remembers the outcome.
 *
 * <pre>
 * Start(from, to, amount[, hold]) → Requested
 *   1. hold the amount on `from` (hold id `transfer:<id>`, no expiry);   refused → Voided(reason)
 *      or, moving an existing hold of `from` (escrow): pin it (its expiry is taken off)
 *   2. credit `to` (idempotent by transfer id)             refused → release the hold → Voided(reason)
 *   3. capture the hold on `from`                          → Posted
 * </pre>
 *
 * Every account step is idempotent. The coordinator has one ask out at a time and asks again {@code retry} after
 * an ask went unanswered (it may still have been done: the repeat is answered as done). Only the request, a
 * refused credit and the outcome are persisted; after a crash the coordinator starts again from step 1, and the
 * accounts answer each step it had already done as done. A Start with the same id and the same terms gets the transfer as it stands (its outcome once there is one); with
 * other terms, {@code id-reused}. The hold the transfer captures never expires once step 1 is done (its own has no
 * expiry; an escrow hold is pinned before anything is credited), so a credited transfer can always be captured:
 * no credit without its debit, however long the coordinator was down.
 *
 * <p>On a node the entity type remembers its entities ({@link TimeBank}): after a crash, Cluster Sharding starts
 * again every transfer that had not settled, and each finishes by itself. A settled transfer asks to be
 * passivated ({@code settled}), so that only unsettled ones are remembered.
 */
public final class Transfer
        extends EventSourcedBehaviorWithEnforcedReplies<Transfer.Command, Transfer.Event, Transfer.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Transfer");

    /** Where a transfer stands. */
    public enum Phase {
        REQUESTED,
        HELD,
        CREDITED,
        POSTED,
        VOIDED
    }

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** @param hold an open hold on {@code from} of exactly {@code amount} to move; null: the transfer holds its own */
    public record Start(String from, String to, long amount, String hold, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {
        public Start(String from, String to, long amount, ActorRef<StatusReply<Summary>> replyTo) {
            this(from, to, amount, null, replyTo);
        }
    }

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** An account answered the coordinator's ask number {@code ask}. */
    public record StepAnswered(long ask, boolean ok, String refusal) implements Command {}

    /** Ask number {@code ask} got no answer in time (it may still have been done): ask again after a pause. */
    public record Unanswered(long ask) implements Command {}

    /** The coordinator's timer: ask for the current step again. */
    public enum Retry implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {
        ChainLink link();
    }

    /** @param hold the existing hold it moves, or null */
    public record Requested(String from, String to, long amount, String hold, Instant at, ChainLink link)
            implements Event, Chained<Requested> {
        @Override
        public Requested withLink(ChainLink l) {
            return new Requested(from, to, amount, hold, at, l);
        }
    }

    /** The destination refused the credit: the hold is being released, then the transfer is voided for it. */
    public record CreditRefused(String reason, Instant at, ChainLink link) implements Event, Chained<CreditRefused> {
        @Override
        public CreditRefused withLink(ChainLink l) {
            return new CreditRefused(reason, at, l);
        }
    }

    /** @param phase HELD, CREDITED, POSTED or VOIDED; {@code reason} why it was voided */
    public record Advanced(Phase phase, String reason, Instant at, ChainLink link) implements Event, Chained<Advanced> {
        @Override
        public Advanced withLink(ChainLink l) {
            return new Advanced(phase, reason, at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    public sealed interface State extends CborSerializable {}

    public record Unrequested() implements State {}

    /**
     * @param releasing a refused credit: the hold is being released before the transfer is voided for {@code reason}
     */
    public record Underway(
            String from,
            String to,
            long amount,
            String hold,
            Phase phase,
            String reason,
            boolean releasing,
            ChainLink last)
            implements State {
        boolean settled() {
            return phase == Phase.POSTED || phase == Phase.VOIDED;
        }

        Underway next(Phase phase, String reason, boolean releasing, ChainLink last) {
            return new Underway(from, to, amount, hold, phase, reason, releasing, last);
        }
    }

    /** A transfer as its client sees it ({@code hold}: the escrow hold it moves, or null). */
    public record Summary(String id, String from, String to, long amount, String hold, Phase phase, String reason)
            implements CborSerializable {}

    /** How the coordinator reaches accounts (Cluster Sharding on a node; plain actors in tests). */
    public interface Accounts {
        /** Asks account {@code id}; completes with its answer, or fails when it does not answer in time. */
        CompletionStage<StatusReply<Account.Summary>> account(
                String id, Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command);
    }

    private final String id;
    private final Accounts accounts;
    private final Clock clock;
    private final Duration retry;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Consumer<ActorRef<Command>> settled;
    /** Who is waiting for the outcome (not persisted: after a crash clients ask again with the same id). */
    private final List<ActorRef<StatusReply<Summary>>> waiting = new ArrayList<>();
    /**
     * The step under way, in memory: REQUESTED (holding), HELD (crediting) or CREDITED (capturing); null once
     * settled. Only the request, a refused credit and the outcome are persisted; after a crash the coordinator
     * starts again from the hold, and the accounts answer every step it had already done as done (a hold or pin of
     * this transfer's, a credit by its id, a capture by its owner), so nothing happens twice and the journal takes
     * three writes per transfer instead of five.
     */
    private Phase progress;
    /**
     * The number of the latest ask, and whether it is still out. One ask at a time: an account answers asks in the
     * order they were sent, so when the latest is answered every earlier one has been done too, and a refusal acted
     * on can never be followed by a success of the same step still on its way.
     */
    private long asks;

    private boolean asking;

    private Transfer(
            String id,
            Accounts accounts,
            Clock clock,
            Duration retry,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Consumer<ActorRef<Command>> settled) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.accounts = accounts;
        this.clock = clock;
        this.retry = retry;
        this.context = context;
        this.timers = timers;
        this.settled = settled;
    }

    /**
     * @param settled told the transfer's own reference once it has settled (or recovers settled): on a node, it asks
     *     its shard to passivate it; elsewhere it may do nothing
     */
    public static Behavior<Command> create(
            String id, Accounts accounts, Clock clock, Duration retry, Consumer<ActorRef<Command>> settled) {
        return Behaviors.setup(context ->
                Behaviors.withTimers(timers -> new Transfer(id, accounts, clock, retry, context, timers, settled)));
    }

    @Override
    public State emptyState() {
        return new Unrequested();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        var unrequested = newCommandHandlerWithReplyBuilder().forStateType(Unrequested.class);
        unrequested
                .onCommand(Start.class, this::onStart)
                .onCommand(
                        Get.class,
                        (s, c) -> Effect()
                                .reply(
                                        c.replyTo(),
                                        StatusReply.error(TransferRejection.UNKNOWN.message("no transfer " + id))))
                .onAnyCommand((s, c) -> Effect().noReply());
        var underway = newCommandHandlerWithReplyBuilder().forStateType(Underway.class);
        underway.onCommand(Start.class, this::onStartAgain)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(StepAnswered.class, this::onAnswer)
                .onCommand(Unanswered.class, (s, c) -> {
                    if (c.ask() == asks) {
                        asking = false;
                        retryLater();
                    }
                    return Effect().noReply();
                })
                .onCommand(Retry.class, (s, c) -> {
                    askStep(s);
                    return Effect().noReply();
                });
        return unrequested.orElse(underway).build();
    }

    private ReplyEffect<Event, State> onStart(Unrequested s, Start c) {
        if (c.amount() <= 0) {
            return reject(c.replyTo(), TransferRejection.AMOUNT_INVALID, "must be positive, was " + c.amount());
        }
        if (c.from() == null
                || c.to() == null
                || c.from().isBlank()
                || c.to().isBlank()
                || c.from().equals(c.to())) {
            return reject(c.replyTo(), TransferRejection.INVALID, "two different accounts are required");
        }
        if (c.hold() != null && c.hold().isBlank()) {
            return reject(c.replyTo(), TransferRejection.INVALID, "a hold id must not be blank");
        }
        waiting.add(c.replyTo());
        Requested requested = HashChain.seal(new Requested(c.from(), c.to(), c.amount(), c.hold(), now(), null), null);
        return Effect().persist(requested).thenRun(st -> askStep((Underway) st)).thenNoReply();
    }

    private ReplyEffect<Event, State> onStartAgain(Underway s, Start c) {
        if (!s.from().equals(c.from())
                || !s.to().equals(c.to())
                || s.amount() != c.amount()
                || !Objects.equals(s.hold(), c.hold())) {
            return reject(
                    c.replyTo(),
                    TransferRejection.ID_REUSED,
                    "transfer " + id + " is " + s.amount() + " from " + s.from() + " to " + s.to()
                            + (s.hold() == null ? "" : " (hold " + s.hold() + ")"));
        }
        if (s.settled()) {
            return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
        }
        waiting.add(c.replyTo());
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onAnswer(Underway s, StepAnswered a) {
        if (a.ask() != asks || !asking || s.settled()) {
            return Effect().noReply(); // the answer to an ask given up on (the latest one answers for it)
        }
        asking = false;
        if (s.releasing()) {
            return a.ok() ? advance(s, Phase.VOIDED, s.reason()) : retryLater();
        }
        switch (current(s)) {
            case REQUESTED:
                return a.ok() ? proceed(s, Phase.HELD) : advance(s, Phase.VOIDED, a.refusal());
            case HELD:
                if (a.ok()) {
                    return proceed(s, Phase.CREDITED);
                }
                // The credit was refused: give the hold back, then void (recorded first, so a restart releases too).
                CreditRefused refused = HashChain.seal(new CreditRefused(a.refusal(), now(), null), s.last());
                return Effect()
                        .persist(refused)
                        .thenRun(st -> askStep((Underway) st))
                        .thenNoReply();
            case CREDITED:
                if (a.ok()) {
                    return advance(s, Phase.POSTED, null);
                }
                // Cannot happen to a pinned hold; kept loud in case an operator released it by hand.
                context.getLog().error("Transfer {}: credited, but the hold cannot be captured: {}", id, a.refusal());
                return retryLater();
            default:
                return Effect().noReply();
        }
    }

    /** The next step, in memory only (see {@link #progress}). */
    private ReplyEffect<Event, State> proceed(Underway s, Phase next) {
        progress = next;
        askStep(s);
        return Effect().noReply();
    }

    private Phase current(Underway s) {
        return progress != null && !s.settled() ? progress : s.phase();
    }

    private ReplyEffect<Event, State> advance(Underway s, Phase next, String reason) {
        Advanced event = HashChain.seal(new Advanced(next, reason, now(), null), s.last());
        return Effect()
                .persist(event)
                .thenRun(st -> {
                    Underway u = (Underway) st;
                    if (u.settled()) {
                        timers.cancel(Retry.INSTANCE);
                        waiting.forEach(w -> w.tell(StatusReply.success(summary(u))));
                        waiting.clear();
                        settled.accept(context.getSelf());
                    } else {
                        askStep(u);
                    }
                })
                .thenNoReply();
    }

    private ReplyEffect<Event, State> retryLater() {
        timers.startSingleTimer(Retry.INSTANCE, retry);
        return Effect().noReply();
    }

    /** A settled transfer as a coordinator's step answer: success when posted, else the reason it was voided. */
    public static StatusReply<?> postedOrRefused(StatusReply<Summary> reply) {
        if (reply.isError() || reply.getValue().phase() == Phase.POSTED) {
            return reply;
        }
        return StatusReply.error(reply.getValue().reason());
    }

    /** The name this transfer goes by in accounts: its own hold's id, and the owner of any hold it pins. */
    public static String holder(String transferId) {
        return "transfer:" + transferId;
    }

    /** Asks the account of the current step, unless an ask is already out (its answer or its timeout follows). */
    private void askStep(Underway s) {
        if (s.settled() || asking) {
            return;
        }
        asking = true;
        long ask = ++asks;
        Phase step = current(s);
        String self = holder(id);
        String holdId = s.hold() != null ? s.hold() : self;
        CompletionStage<StatusReply<Account.Summary>> answer;
        if (s.releasing()) {
            answer = accounts.account(
                    s.from(), r -> new Account.Release(holdId, "transfer " + id + " voided: " + s.reason(), self, r));
        } else if (step == Phase.REQUESTED && s.hold() != null) {
            answer = accounts.account(s.from(), r -> new Account.PinHold(holdId, s.amount(), self, r));
        } else if (step == Phase.REQUESTED) {
            answer = accounts.account(
                    s.from(), r -> new Account.PlaceHold(self, s.amount(), null, "transfer to " + s.to(), r));
        } else if (step == Phase.HELD) {
            answer = accounts.account(s.to(), r -> new Account.Credit(id, s.amount(), s.from(), r));
        } else {
            answer = accounts.account(s.from(), r -> new Account.Capture(holdId, s.to(), self, r));
        }
        context.pipeToSelf(
                answer,
                (reply, failure) -> failure != null
                        ? new Unanswered(ask)
                        : new StepAnswered(
                                ask,
                                reply.isSuccess(),
                                reply.isSuccess() ? null : reply.getError().getMessage()));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unrequested.class)
                .onEvent(
                        Requested.class,
                        (s, e) -> new Underway(
                                e.from(), e.to(), e.amount(), e.hold(), Phase.REQUESTED, null, false, e.link()));
        builder.forStateType(Underway.class)
                .onEvent(CreditRefused.class, (s, e) -> s.next(s.phase(), e.reason(), true, e.link()))
                .onEvent(
                        Advanced.class,
                        (s, e) -> s.next(e.phase(), e.reason() == null ? s.reason() : e.reason(), false, e.link()));
        return builder.build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Underway u && !u.settled()) {
                        progress = u.phase(); // REQUESTED (or HELD, CREDITED in journals written before 2026-11-24)
                        askStep(u); // resume: from the hold, each step already done answered as done
                    } else if (s instanceof Underway) {
                        settled.accept(context.getSelf()); // woken to be asked: answer, then go
                    }
                })
                .build();
    }

    private Summary summary(Underway s) {
        return new Summary(
                id, s.from(), s.to(), s.amount(), s.hold(), current(s), s.phase() == Phase.VOIDED ? s.reason() : null);
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, TransferRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

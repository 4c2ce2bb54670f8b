package org.worldserver.timebank;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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
import org.worldserver.persistence.TimerWaits;
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * A time deposit: locks part of an account's free balance for a term and, at maturity, frees it again and pays
 * interest at the rate fixed when it opened. An event-sourced coordinator, one per deposit id (the client chooses
 * it), remembered by its shard until it ends.
 *
 * <pre>
 * Open(account, principal, term) → Requested (rate and interest fixed: {@link Interest#simple})
 *   OPENING      lock the principal in the account           refused → VOIDED(reason)
 *   ACTIVE       until maturesAt
 *   MATURING     unlock the principal
 *   MINTING      the treasury mints the interest, reference deposit:&lt;id&gt;:interest
 *   PAYING       transfer deposit:&lt;id&gt;:interest:&lt;attempt&gt; treasury → account   voided → next attempt later,
 *                waiting retry × 2^(attempt−1) (at most an hour); voided interestAttempts times → UNPAID (the interest stays minted
 *                in the treasury, the reason recorded)
 *   PAID
 * Withdraw while ACTIVE (early withdrawal): WITHDRAWING (unlock) → WITHDRAWN; the interest is forfeited, the
 *   principal comes back whole.
 * </pre>
 *
 * Interest is new money: the treasury mints exactly the interest of each deposit (once, by its reference) and pays
 * it out, so the ledger stays conserved. Every step is idempotent, asked once at a time and again {@code retry}
 * after an ask went unanswered or was refused; recovery resumes the step where a crash left it. An Open with the same id and terms gets the deposit as it
 * stands (once it is ACTIVE or VOIDED); other terms get {@code id-reused}.
 */
public final class Deposit
        extends EventSourcedBehaviorWithEnforcedReplies<Deposit.Command, Deposit.Event, Deposit.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Deposit");

    /** Where a deposit stands. */
    public enum Phase {
        OPENING,
        ACTIVE,
        VOIDED,
        MATURING,
        MINTING,
        PAYING,
        PAID,
        UNPAID,
        WITHDRAWING,
        WITHDRAWN;

        /** Whether this is a step the coordinator works on (and repeats until answered). */
        boolean working() {
            return this == OPENING || this == MATURING || this == MINTING || this == PAYING || this == WITHDRAWING;
        }

        boolean ended() {
            return this == VOIDED || this == PAID || this == UNPAID || this == WITHDRAWN;
        }
    }

    /**
     * The terms deposits are opened on ({@code world.timebank.deposits}).
     *
     * @param annualRateBps the annual interest rate, basis points
     * @param minTerm the shortest term accepted; {@code maxTerm} the longest
     * @param interestAttempts how many interest transfers are tried before a deposit ends UNPAID
     */
    public record Terms(long annualRateBps, Duration minTerm, Duration maxTerm, int interestAttempts) {}

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** Answered once the deposit is ACTIVE or VOIDED. */
    public record Open(String account, long principal, Duration term, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    /** Early withdrawal: answered once the principal is free again (WITHDRAWN). */
    public record Withdraw(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** The answer to the step {@code step} (attempt {@code attempt} when PAYING). */
    public record StepAnswered(Phase step, int attempt, boolean ok, String refusal) implements Command {}

    /** The coordinator's timer: maturity reached, or time to ask the current step again. */
    public enum Tick implements Command {
        INSTANCE
    }

    /** The ask for the current step got no answer in time: ask again after a pause. */
    public enum Unanswered implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {
        ChainLink link();
    }

    /** @param termSeconds the term in whole seconds; {@code interest} what it pays at maturity, micro-credits */
    public record Requested(
            String account,
            long principal,
            long annualRateBps,
            long termSeconds,
            long interest,
            Instant maturesAt,
            Instant at,
            ChainLink link)
            implements Event, Chained<Requested> {
        @Override
        public Requested withLink(ChainLink l) {
            return new Requested(account, principal, annualRateBps, termSeconds, interest, maturesAt, at, l);
        }
    }

    public record Advanced(Phase phase, String reason, Instant at, ChainLink link) implements Event, Chained<Advanced> {
        @Override
        public Advanced withLink(ChainLink l) {
            return new Advanced(phase, reason, at, l);
        }
    }

    /** The interest transfer of {@code attempt} was voided; the next attempt follows after a pause. */
    public record InterestVoided(int attempt, String reason, Instant at, ChainLink link)
            implements Event, Chained<InterestVoided> {
        @Override
        public InterestVoided withLink(ChainLink l) {
            return new InterestVoided(attempt, reason, at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    public sealed interface State extends CborSerializable {}

    public record Unrequested() implements State {}

    /** @param attempt the interest transfer being tried (from 1) */
    public record Opened(
            String account,
            long principal,
            long annualRateBps,
            long termSeconds,
            long interest,
            Instant openedAt,
            Instant maturesAt,
            Phase phase,
            String reason,
            int attempt,
            ChainLink last)
            implements State {
        Opened next(Phase phase, String reason, int attempt, ChainLink last) {
            return new Opened(
                    account,
                    principal,
                    annualRateBps,
                    termSeconds,
                    interest,
                    openedAt,
                    maturesAt,
                    phase,
                    reason,
                    attempt,
                    last);
        }
    }

    /** A deposit as its client sees it; amounts in micro-credits. */
    public record Summary(
            String id,
            String account,
            long principal,
            long annualRateBps,
            long termSeconds,
            long interest,
            Instant openedAt,
            Instant maturesAt,
            Phase phase,
            String reason)
            implements CborSerializable {}

    private final String id;
    private final Bank bank;
    private final String treasury;
    private final Terms terms;
    private final Clock clock;
    private final Duration retry;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Consumer<ActorRef<Command>> ended;
    /** Who waits for an Open or a Withdraw to come to rest (not persisted: after a crash clients ask again). */
    private final List<ActorRef<StatusReply<Summary>>> waiting = new ArrayList<>();
    /** Whether an ask for a step is out (every ask ends, answered or timed out): one at a time. */
    private boolean asking;

    private Deposit(
            String id,
            Bank bank,
            String treasury,
            Terms terms,
            Clock clock,
            Duration retry,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Consumer<ActorRef<Command>> ended) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.bank = bank;
        this.treasury = treasury;
        this.terms = terms;
        this.clock = clock;
        this.retry = retry;
        this.context = context;
        this.timers = timers;
        this.ended = ended;
    }

    /**
     * @param treasury the operator treasury's account id, which mints and pays the interest
     * @param ended told the deposit's own reference once it has ended (or recovers ended): on a node it asks its
     *     shard to passivate it
     */
    public static Behavior<Command> create(
            String id,
            Bank bank,
            String treasury,
            Terms terms,
            Clock clock,
            Duration retry,
            Consumer<ActorRef<Command>> ended) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new Deposit(id, bank, treasury, terms, clock, retry, context, timers, ended)));
    }

    /** The interest transfer's id for {@code attempt}. */
    public static String interestTransferId(String depositId, int attempt) {
        return "deposit:" + depositId + ":interest:" + attempt;
    }

    @Override
    public State emptyState() {
        return new Unrequested();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        var unrequested = newCommandHandlerWithReplyBuilder().forStateType(Unrequested.class);
        unrequested
                .onCommand(Open.class, this::onOpen)
                .onCommand(Get.class, (s, c) -> unknown(c.replyTo()))
                .onCommand(Withdraw.class, (s, c) -> unknown(c.replyTo()))
                .onAnyCommand((s, c) -> Effect().noReply());
        var opened = newCommandHandlerWithReplyBuilder().forStateType(Opened.class);
        opened.onCommand(Open.class, this::onOpenAgain)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(Withdraw.class, this::onWithdraw)
                .onCommand(StepAnswered.class, this::onAnswer)
                .onCommand(Tick.class, this::onTick)
                .onCommand(Unanswered.class, (s, c) -> {
                    asking = false;
                    retryLater();
                    return Effect().noReply();
                });
        return unrequested.orElse(opened).build();
    }

    private ReplyEffect<Event, State> onOpen(Unrequested s, Open c) {
        if (c.account() == null || c.account().isBlank() || c.term() == null) {
            return reject(c.replyTo(), TermRejection.DEPOSIT_INVALID, "an account and a term are required");
        }
        if (c.principal() <= 0) {
            return reject(c.replyTo(), TermRejection.AMOUNT_INVALID, "must be positive, was " + c.principal());
        }
        if (c.term().compareTo(terms.minTerm()) < 0 || c.term().compareTo(terms.maxTerm()) > 0) {
            return reject(
                    c.replyTo(),
                    TermRejection.DEPOSIT_INVALID,
                    "the term must be from " + terms.minTerm() + " to " + terms.maxTerm() + ", was " + c.term());
        }
        long seconds = c.term().getSeconds();
        long interest;
        try {
            interest = Interest.simple(c.principal(), terms.annualRateBps(), Duration.ofSeconds(seconds));
        } catch (ArithmeticException e) {
            return reject(
                    c.replyTo(), TermRejection.AMOUNT_OVERFLOW, "the interest on " + c.principal() + " overflows");
        }
        Instant now = now();
        waiting.add(c.replyTo());
        Requested requested = HashChain.seal(
                new Requested(
                        c.account(),
                        c.principal(),
                        terms.annualRateBps(),
                        seconds,
                        interest,
                        now.plusSeconds(seconds),
                        now,
                        null),
                null);
        return Effect().persist(requested).thenRun(st -> askStep((Opened) st)).thenNoReply();
    }

    private ReplyEffect<Event, State> onOpenAgain(Opened s, Open c) {
        if (!s.account().equals(c.account())
                || s.principal() != c.principal()
                || c.term() == null
                || s.termSeconds() != c.term().getSeconds()) {
            return reject(
                    c.replyTo(),
                    TermRejection.ID_REUSED,
                    "deposit " + id + " is " + s.principal() + " from " + s.account() + " for " + s.termSeconds()
                            + " s");
        }
        if (s.phase() == Phase.OPENING) {
            waiting.add(c.replyTo());
            return Effect().noReply();
        }
        return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
    }

    private ReplyEffect<Event, State> onWithdraw(Opened s, Withdraw c) {
        switch (s.phase()) {
            case ACTIVE:
                if (!now().isBefore(s.maturesAt())) {
                    return reject(c.replyTo(), TermRejection.DEPOSIT_NOT_ACTIVE, "deposit " + id + " has matured");
                }
                waiting.add(c.replyTo());
                return advance(s, Phase.WITHDRAWING, "withdrawn early: interest forfeited");
            case WITHDRAWING:
                waiting.add(c.replyTo());
                return Effect().noReply();
            case WITHDRAWN:
                return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
            default:
                return reject(
                        c.replyTo(),
                        TermRejection.DEPOSIT_NOT_ACTIVE,
                        "deposit " + id + " is " + s.phase() + ": only an active deposit can be withdrawn early");
        }
    }

    private ReplyEffect<Event, State> onTick(Opened s, Tick t) {
        if (s.phase() == Phase.ACTIVE) {
            return now().isBefore(s.maturesAt()) ? waitForMaturity(s) : advance(s, Phase.MATURING, "matured");
        }
        askStep(s);
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onAnswer(Opened s, StepAnswered a) {
        asking = false;
        if (a.step() != s.phase() || (a.step() == Phase.PAYING && a.attempt() != s.attempt())) {
            return Effect().noReply(); // a late answer to a step already done
        }
        if (!a.ok()) {
            switch (s.phase()) {
                case OPENING:
                    return advance(s, Phase.VOIDED, a.refusal());
                case PAYING:
                    context.getLog()
                            .warn(
                                    "Deposit {}: interest transfer {} voided ({}); trying again",
                                    id,
                                    s.attempt(),
                                    a.refusal());
                    if (s.attempt() >= terms.interestAttempts()) {
                        return advance(
                                s,
                                Phase.UNPAID,
                                "interest not paid after " + s.attempt() + " attempts (" + a.refusal()
                                        + "); it stays in the treasury");
                    }
                    InterestVoided voided =
                            HashChain.seal(new InterestVoided(s.attempt(), a.refusal(), now(), null), s.last());
                    Duration pause = retry.multipliedBy(1L << (s.attempt() - 1));
                    Duration wait = pause.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : pause;
                    return Effect()
                            .persist(voided)
                            .thenRun(st -> timers.startSingleTimer(Tick.INSTANCE, wait))
                            .thenNoReply();
                case WITHDRAWING:
                    // Only if the deposit was unlocked by someone else first; the account answers a repeat as done.
                    context.getLog().error("Deposit {}: unlock refused: {}", id, a.refusal());
                    retryLater();
                    return Effect().noReply();
                default:
                    // Unlocking and minting cannot be refused for a valid deposit; say so loudly and keep trying.
                    context.getLog().error("Deposit {}: step {} refused: {}", id, s.phase(), a.refusal());
                    retryLater();
                    return Effect().noReply();
            }
        }
        switch (s.phase()) {
            case OPENING:
                return advance(s, Phase.ACTIVE, null);
            case MATURING:
                return advance(s, s.interest() == 0 ? Phase.PAID : Phase.MINTING, null);
            case MINTING:
                return advance(s, Phase.PAYING, null);
            case PAYING:
                return advance(s, Phase.PAID, null);
            case WITHDRAWING:
                return advance(s, Phase.WITHDRAWN, s.reason());
            default:
                return Effect().noReply();
        }
    }

    private ReplyEffect<Event, State> advance(Opened s, Phase next, String reason) {
        Advanced event = HashChain.seal(new Advanced(next, reason, now(), null), s.last());
        return Effect().persist(event).thenRun(st -> afterAdvance((Opened) st)).thenNoReply();
    }

    private void afterAdvance(Opened s) {
        if (!s.phase().working()) {
            waiting.forEach(w -> w.tell(StatusReply.success(summary(s))));
            waiting.clear();
        }
        if (s.phase() == Phase.ACTIVE) {
            waitForMaturity(s);
        } else if (s.phase().ended()) {
            timers.cancel(Tick.INSTANCE);
            ended.accept(context.getSelf());
        } else {
            askStep(s);
        }
    }

    private ReplyEffect<Event, State> waitForMaturity(Opened s) {
        timers.startSingleTimer(Tick.INSTANCE, TimerWaits.until(now(), s.maturesAt()));
        return Effect().noReply();
    }

    private void retryLater() {
        timers.startSingleTimer(Tick.INSTANCE, retry);
    }

    /** Asks for the current step, unless an ask is already out. */
    private void askStep(Opened s) {
        if (!s.phase().working() || asking) {
            return;
        }
        asking = true;
        Phase step = s.phase();
        int attempt = s.attempt();
        CompletionStage<StatusReply<?>> answer = switch (step) {
            case OPENING -> widen(bank.account(s.account(), r -> new Account.LockDeposit(id, s.principal(), r)));
            case MATURING -> widen(bank.account(s.account(), r -> new Account.UnlockDeposit(id, "deposit matured", r)));
            case WITHDRAWING ->
                widen(bank.account(s.account(), r -> new Account.UnlockDeposit(id, "deposit withdrawn early", r)));
            case MINTING ->
                widen(bank.mintInTreasury(treasury, "deposit:" + id + ":interest", s.interest(), "deposit interest"));
            default ->
                bank.transfer(
                                interestTransferId(id, attempt),
                                r -> new Transfer.Start(treasury, s.account(), s.interest(), r))
                        .thenApply(Transfer::postedOrRefused);
        };
        context.pipeToSelf(
                answer,
                (reply, failure) -> failure != null
                        ? Unanswered.INSTANCE
                        : new StepAnswered(
                                step,
                                attempt,
                                reply.isSuccess(),
                                reply.isSuccess() ? null : reply.getError().getMessage()));
    }

    @SuppressWarnings("unchecked")
    private static CompletionStage<StatusReply<?>> widen(CompletionStage<? extends StatusReply<?>> stage) {
        return (CompletionStage<StatusReply<?>>) stage;
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unrequested.class)
                .onEvent(
                        Requested.class,
                        (s, e) -> new Opened(
                                e.account(),
                                e.principal(),
                                e.annualRateBps(),
                                e.termSeconds(),
                                e.interest(),
                                e.at(),
                                e.maturesAt(),
                                Phase.OPENING,
                                null,
                                1,
                                e.link()));
        builder.forStateType(Opened.class)
                .onEvent(
                        Advanced.class,
                        (s, e) ->
                                s.next(e.phase(), e.reason() == null ? s.reason() : e.reason(), s.attempt(), e.link()))
                .onEvent(InterestVoided.class, (s, e) -> s.next(s.phase(), s.reason(), e.attempt() + 1, e.link()));
        return builder.build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Opened o) {
                        if (o.phase().ended()) {
                            ended.accept(context.getSelf()); // woken to be asked: answer, then go
                        } else if (o.phase() == Phase.ACTIVE) {
                            waitForMaturity(o);
                        } else {
                            askStep(o); // resume where the crash left it
                        }
                    }
                })
                .build();
    }

    private Summary summary(Opened s) {
        return new Summary(
                id,
                s.account(),
                s.principal(),
                s.annualRateBps(),
                s.termSeconds(),
                s.interest(),
                s.openedAt(),
                s.maturesAt(),
                s.phase(),
                s.reason());
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> unknown(ActorRef<StatusReply<Summary>> replyTo) {
        return reject(replyTo, TermRejection.DEPOSIT_UNKNOWN, "no deposit " + id);
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, TermRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

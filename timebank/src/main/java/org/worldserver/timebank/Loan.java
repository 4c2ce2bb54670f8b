package org.worldserver.timebank;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import org.worldserver.persistence.ClientIds;
import org.worldserver.persistence.TimerWaits;
import org.worldserver.persistence.audit.ChainLink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;

/**
 * A loan from one account to another: an event-sourced coordinator, one per loan id (the client chooses it),
 * remembered by its shard until the loan ends. Every movement of money is a {@link Transfer} with an id derived from
 * the loan's, so nothing moves twice however often a step is repeated.
 *
 * <pre>
 * Open(lender, borrower, principal, rate, dueAt) → Requested: owed = principal + {@link Interest#simple}(principal,
 *     rate, dueAt − openedAt), fixed at opening (repaying early saves nothing; no prepayment penalty either)
 *   DISBURSING  transfer loan:&lt;id&gt;:disbursement lender → borrower      voided → VOIDED(reason)
 *   ACTIVE      repayments: transfer loan:&lt;id&gt;:payment:&lt;paymentId&gt; borrower → lender, each at most what is owed and not
 *               already on its way; a voided payment changes nothing owed
 *   OVERDUE     at dueAt with something still owed: a one-time late fee (lateFeeBps of what is owed, rounded down)
 *               is added, and every collectEvery the loan collects what the borrower has free (never its overdraft),
 *               up to what is owed, as payment collection-&lt;n&gt;
 *   REPAID      nothing owed
 * </pre>
 *
 * Payments on their way are persisted before their transfer starts and are resumed after a crash; a repayment is
 * answered once its transfer has settled (posted: the loan; voided: the transfer's refusal).
 */
public final class Loan extends EventSourcedBehaviorWithEnforcedReplies<Loan.Command, Loan.Event, Loan.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Loan");

    /** Where a loan stands. */
    public enum Phase {
        DISBURSING,
        ACTIVE,
        OVERDUE,
        REPAID,
        VOIDED;

        boolean ended() {
            return this == REPAID || this == VOIDED;
        }
    }

    /**
     * The rules loans follow ({@code world.timebank.loans}).
     *
     * @param maxAnnualRateBps the highest annual rate a loan may carry, basis points
     * @param maxTerm the longest time from opening to due
     * @param lateFeeBps the one-time late fee, basis points of what is owed when a loan falls due unpaid
     * @param collectEvery how often an overdue loan collects from its borrower
     */
    public record Rules(long maxAnnualRateBps, Duration maxTerm, long lateFeeBps, Duration collectEvery) {}

    // --- commands -------------------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {}

    /** Answered once the loan is ACTIVE (disbursed) or VOIDED. */
    public record Open(
            String lender,
            String borrower,
            long principal,
            long annualRateBps,
            Instant dueAt,
            ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    /** Answered once the payment's transfer has settled. */
    public record Repay(String paymentId, long amount, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** A transfer of the loan settled: {@code paymentId} null for the disbursement. */
    public record TransferSettled(String paymentId, boolean posted, String reason) implements Command {}

    /** The ask for transfer {@code transferId} got no answer in time: ask again after a pause. */
    public record TransferUnanswered(String transferId) implements Command {}

    /** What the borrower has free, for a collection. */
    public record BorrowerFree(long free) implements Command {}

    /** The loan's timer: due time, collection time, or time to ask for unsettled transfers again. */
    public enum Tick implements Command {
        INSTANCE
    }

    // --- events ---------------------------------------------------------------------------------------------

    public sealed interface Event extends CborSerializable {
        ChainLink link();
    }

    /** @param owed principal + interest, micro-credits; {@code lateFeeBps} the late fee's rate, fixed now */
    public record Requested(
            String lender,
            String borrower,
            long principal,
            long annualRateBps,
            long owed,
            long lateFeeBps,
            Instant dueAt,
            Instant at,
            ChainLink link)
            implements Event, Chained<Requested> {
        @Override
        public Requested withLink(ChainLink l) {
            return new Requested(lender, borrower, principal, annualRateBps, owed, lateFeeBps, dueAt, at, l);
        }
    }

    /** The disbursement settled: ACTIVE, or VOIDED with {@code reason}. */
    public record Disbursed(boolean posted, String reason, Instant at, ChainLink link)
            implements Event, Chained<Disbursed> {
        @Override
        public Disbursed withLink(ChainLink l) {
            return new Disbursed(posted, reason, at, l);
        }
    }

    public record PaymentStarted(String paymentId, long amount, Instant at, ChainLink link)
            implements Event, Chained<PaymentStarted> {
        @Override
        public PaymentStarted withLink(ChainLink l) {
            return new PaymentStarted(paymentId, amount, at, l);
        }
    }

    /** A payment's transfer settled: posted (owed −= amount), or voided with {@code reason}. */
    public record PaymentSettled(String paymentId, boolean posted, String reason, Instant at, ChainLink link)
            implements Event, Chained<PaymentSettled> {
        @Override
        public PaymentSettled withLink(ChainLink l) {
            return new PaymentSettled(paymentId, posted, reason, at, l);
        }
    }

    /** The loan fell due unpaid: {@code lateFee} was added to what is owed. */
    public record FellOverdue(long lateFee, Instant at, ChainLink link) implements Event, Chained<FellOverdue> {
        @Override
        public FellOverdue withLink(ChainLink l) {
            return new FellOverdue(lateFee, at, l);
        }
    }

    // --- state ----------------------------------------------------------------------------------------------

    /** A repayment or collection; {@code reason} why it was voided. */
    public record Payment(long amount, PaymentStatus status, String reason) implements CborSerializable {}

    public enum PaymentStatus {
        PENDING,
        POSTED,
        VOIDED
    }

    public sealed interface State extends CborSerializable {}

    public record Unrequested() implements State {}

    /**
     * @param owed what the borrower still owes, micro-credits (payments on their way not yet deducted)
     * @param pending the sum of payments on their way
     * @param collections how many collections were started
     */
    public record Opened(
            String lender,
            String borrower,
            long principal,
            long annualRateBps,
            long lateFeeBps,
            Instant openedAt,
            Instant dueAt,
            Phase phase,
            String reason,
            long owed,
            long repaid,
            long lateFee,
            long pending,
            int collections,
            Map<String, Payment> payments,
            ChainLink last)
            implements State {}

    /** A loan as its parties see it; amounts in micro-credits. */
    public record Summary(
            String id,
            String lender,
            String borrower,
            long principal,
            long annualRateBps,
            Instant openedAt,
            Instant dueAt,
            Phase phase,
            String reason,
            long owed,
            long repaid,
            long lateFee,
            long pending,
            Map<String, Payment> payments)
            implements CborSerializable {}

    /** The disbursement's transfer id. */
    public static String disbursementId(String loanId) {
        return "loan:" + loanId + ":disbursement";
    }

    /** The transfer id of payment {@code paymentId} (payment ids hold no ':', so no two loans' ids meet). */
    public static String paymentTransferId(String loanId, String paymentId) {
        return "loan:" + loanId + ":payment:" + paymentId;
    }

    private static final String COLLECTION = "collection-";

    private final String id;
    private final Bank bank;
    private final Rules rules;
    private final Clock clock;
    private final Duration retry;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Consumer<ActorRef<Command>> ended;
    /** Who waits for the opening (key "") or for a payment (its id) to settle; not persisted. */
    private final Map<String, List<ActorRef<StatusReply<Summary>>>> waiting = new HashMap<>();
    /** Transfer ids asked and not yet answered (every ask ends, answered or timed out): one ask each at a time. */
    private final Set<String> asking = new HashSet<>();

    private Loan(
            String id,
            Bank bank,
            Rules rules,
            Clock clock,
            Duration retry,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Consumer<ActorRef<Command>> ended) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
        this.id = id;
        this.bank = bank;
        this.rules = rules;
        this.clock = clock;
        this.retry = retry;
        this.context = context;
        this.timers = timers;
        this.ended = ended;
    }

    /** @param ended told the loan's own reference once it has ended: on a node it asks its shard to passivate it */
    public static Behavior<Command> create(
            String id, Bank bank, Rules rules, Clock clock, Duration retry, Consumer<ActorRef<Command>> ended) {
        return Behaviors.setup(context ->
                Behaviors.withTimers(timers -> new Loan(id, bank, rules, clock, retry, context, timers, ended)));
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
                .onCommand(Repay.class, (s, c) -> unknown(c.replyTo()))
                .onAnyCommand((s, c) -> Effect().noReply());
        var opened = newCommandHandlerWithReplyBuilder().forStateType(Opened.class);
        opened.onCommand(Open.class, this::onOpenAgain)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))))
                .onCommand(Repay.class, this::onRepay)
                .onCommand(TransferSettled.class, this::onSettled)
                .onCommand(BorrowerFree.class, this::onBorrowerFree)
                .onCommand(TransferUnanswered.class, (s, c) -> {
                    asking.remove(c.transferId());
                    timers.startSingleTimer(Tick.INSTANCE, retry);
                    return Effect().noReply();
                })
                .onCommand(Tick.class, this::onTick);
        return unrequested.orElse(opened).build();
    }

    private ReplyEffect<Event, State> onOpen(Unrequested s, Open c) {
        Instant now = now();
        if (c.lender() == null
                || c.borrower() == null
                || c.lender().isBlank()
                || c.borrower().isBlank()
                || c.lender().equals(c.borrower())
                || c.dueAt() == null) {
            return reject(c.replyTo(), TermRejection.LOAN_INVALID, "a lender, a different borrower and a due time");
        }
        if (c.principal() <= 0) {
            return reject(c.replyTo(), TermRejection.AMOUNT_INVALID, "must be positive, was " + c.principal());
        }
        if (c.annualRateBps() < 0 || c.annualRateBps() > rules.maxAnnualRateBps()) {
            return reject(
                    c.replyTo(),
                    TermRejection.LOAN_INVALID,
                    "the rate must be 0 to " + rules.maxAnnualRateBps() + " bp, was " + c.annualRateBps());
        }
        Duration term = Duration.between(now, c.dueAt());
        if (term.isNegative() || term.isZero() || term.compareTo(rules.maxTerm()) > 0) {
            return reject(
                    c.replyTo(),
                    TermRejection.LOAN_INVALID,
                    "the due time must be after now and within " + rules.maxTerm());
        }
        long owed;
        try {
            owed = Math.addExact(c.principal(), Interest.simple(c.principal(), c.annualRateBps(), term));
        } catch (ArithmeticException e) {
            return reject(
                    c.replyTo(), TermRejection.AMOUNT_OVERFLOW, "what is owed on " + c.principal() + " overflows");
        }
        waitFor("", c.replyTo());
        Requested requested = HashChain.seal(
                new Requested(
                        c.lender(),
                        c.borrower(),
                        c.principal(),
                        c.annualRateBps(),
                        owed,
                        rules.lateFeeBps(),
                        c.dueAt(),
                        now,
                        null),
                null);
        return Effect().persist(requested).thenRun(st -> resume((Opened) st)).thenNoReply();
    }

    private ReplyEffect<Event, State> onOpenAgain(Opened s, Open c) {
        if (!s.lender().equals(c.lender())
                || !s.borrower().equals(c.borrower())
                || s.principal() != c.principal()
                || s.annualRateBps() != c.annualRateBps()
                || !s.dueAt().equals(c.dueAt())) {
            return reject(
                    c.replyTo(),
                    TermRejection.ID_REUSED,
                    "loan " + id + " is " + s.principal() + " from " + s.lender() + " to " + s.borrower());
        }
        if (s.phase() == Phase.DISBURSING) {
            waitFor("", c.replyTo());
            return Effect().noReply();
        }
        return Effect().reply(c.replyTo(), StatusReply.success(summary(s)));
    }

    private ReplyEffect<Event, State> onRepay(Opened s, Repay c) {
        if (!ClientIds.valid(c.paymentId()) || c.paymentId().startsWith(COLLECTION)) {
            return reject(
                    c.replyTo(),
                    TermRejection.LOAN_INVALID,
                    "a payment id without ':', not starting with " + COLLECTION);
        }
        Payment before = s.payments().get(c.paymentId());
        if (before != null) {
            if (before.amount() != c.amount()) {
                return reject(
                        c.replyTo(),
                        TermRejection.ID_REUSED,
                        "payment " + c.paymentId() + " was of " + before.amount());
            }
            if (before.status() == PaymentStatus.PENDING) {
                waitFor(c.paymentId(), c.replyTo());
                return Effect().noReply();
            }
            return paymentAnswer(s, c.paymentId(), c.replyTo());
        }
        if (s.phase() != Phase.ACTIVE && s.phase() != Phase.OVERDUE) {
            return reject(c.replyTo(), TermRejection.LOAN_NOT_ACTIVE, "loan " + id + " is " + s.phase());
        }
        if (c.amount() <= 0) {
            return reject(c.replyTo(), TermRejection.AMOUNT_INVALID, "must be positive, was " + c.amount());
        }
        if (c.amount() > s.owed() - s.pending()) {
            return reject(
                    c.replyTo(),
                    TermRejection.OVERPAYMENT,
                    c.amount() + " offered, " + (s.owed() - s.pending()) + " owed (beyond payments on their way)");
        }
        waitFor(c.paymentId(), c.replyTo());
        return startPayment(s, c.paymentId(), c.amount());
    }

    private ReplyEffect<Event, State> startPayment(Opened s, String paymentId, long amount) {
        PaymentStarted started = HashChain.seal(new PaymentStarted(paymentId, amount, now(), null), s.last());
        return Effect()
                .persist(started)
                .thenRun(st -> askTransfer((Opened) st, paymentId))
                .thenNoReply();
    }

    private ReplyEffect<Event, State> onSettled(Opened s, TransferSettled t) {
        asking.remove(t.paymentId() == null ? disbursementId(id) : paymentTransferId(id, t.paymentId()));
        if (t.paymentId() == null) {
            if (s.phase() != Phase.DISBURSING) {
                return Effect().noReply();
            }
            Disbursed disbursed = HashChain.seal(new Disbursed(t.posted(), t.reason(), now(), null), s.last());
            return Effect()
                    .persist(disbursed)
                    .thenRun(st -> {
                        answerWaiting("", (Opened) st);
                        resume((Opened) st);
                    })
                    .thenNoReply();
        }
        Payment payment = s.payments().get(t.paymentId());
        if (payment == null || payment.status() != PaymentStatus.PENDING) {
            return Effect().noReply();
        }
        PaymentSettled settled =
                HashChain.seal(new PaymentSettled(t.paymentId(), t.posted(), t.reason(), now(), null), s.last());
        return Effect()
                .persist(settled)
                .thenRun(st -> {
                    Opened o = (Opened) st;
                    List<ActorRef<StatusReply<Summary>>> waiters = waiting.remove(t.paymentId());
                    if (waiters != null) {
                        StatusReply<Summary> answer =
                                t.posted() ? StatusReply.success(summary(o)) : StatusReply.error(t.reason());
                        waiters.forEach(w -> w.tell(answer));
                    }
                    resume(o);
                })
                .thenNoReply();
    }

    private ReplyEffect<Event, State> onTick(Opened s, Tick t) {
        if (s.phase() == Phase.ACTIVE && s.owed() > 0 && !now().isBefore(s.dueAt())) {
            long fee = Math.min(Interest.fraction(s.owed(), s.lateFeeBps()), Long.MAX_VALUE - s.owed());
            FellOverdue overdue = HashChain.seal(new FellOverdue(fee, now(), null), s.last());
            return Effect()
                    .persist(overdue)
                    .thenRun(st -> {
                        collect((Opened) st);
                        resume((Opened) st);
                    })
                    .thenNoReply();
        }
        collect(s);
        resume(s);
        return Effect().noReply();
    }

    /** While overdue, owed and not already collecting: asks what the borrower has free (then {@link BorrowerFree}). */
    private void collect(Opened s) {
        if (s.phase() == Phase.OVERDUE && s.owed() - s.pending() > 0 && !collecting(s)) {
            context.pipeToSelf(
                    bank.account(s.borrower(), Account.Get::new),
                    (reply, failure) -> failure == null && reply.isSuccess()
                            ? new BorrowerFree(reply.getValue().free())
                            : new BorrowerFree(0));
        }
    }

    private ReplyEffect<Event, State> onBorrowerFree(Opened s, BorrowerFree f) {
        long amount = Math.min(f.free(), s.owed() - s.pending());
        if (s.phase() != Phase.OVERDUE || amount <= 0 || collecting(s)) {
            return Effect().noReply();
        }
        return startPayment(s, COLLECTION + (s.collections() + 1), amount);
    }

    private static boolean collecting(Opened s) {
        return s.payments().entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith(COLLECTION) && e.getValue().status() == PaymentStatus.PENDING);
    }

    /**
     * Asks for every transfer not yet settled (unless already asked), and while none is on its way arms the timer:
     * at the due time while active, every {@code collectEvery} while overdue.
     */
    private void resume(Opened s) {
        if (s.phase().ended()) {
            timers.cancel(Tick.INSTANCE);
            if (s.pending() == 0) {
                ended.accept(context.getSelf());
            }
            return;
        }
        if (s.phase() == Phase.DISBURSING) {
            askTransfer(s, null);
        }
        s.payments().forEach((paymentId, p) -> {
            if (p.status() == PaymentStatus.PENDING) {
                askTransfer(s, paymentId);
            }
        });
        Duration wait;
        if (s.phase() == Phase.DISBURSING || s.pending() > 0) {
            return; // the transfers' answers (or their ask timeouts) move the loan on
        } else if (s.phase() == Phase.OVERDUE) {
            wait = rules.collectEvery();
        } else {
            wait = TimerWaits.until(now(), s.dueAt());
        }
        timers.startSingleTimer(Tick.INSTANCE, wait);
    }

    /** Starts (or asks again for) the disbursement ({@code paymentId} null) or a payment; idempotent by id. */
    private void askTransfer(Opened s, String paymentId) {
        String transferId = paymentId == null ? disbursementId(id) : paymentTransferId(id, paymentId);
        if (!asking.add(transferId)) {
            return;
        }
        long amount =
                paymentId == null ? s.principal() : s.payments().get(paymentId).amount();
        String from = paymentId == null ? s.lender() : s.borrower();
        String to = paymentId == null ? s.borrower() : s.lender();
        context.pipeToSelf(
                bank.transfer(transferId, r -> new Transfer.Start(from, to, amount, r)), (reply, failure) -> {
                    if (failure != null) {
                        return new TransferUnanswered(transferId);
                    }
                    StatusReply<?> outcome = Transfer.postedOrRefused(reply);
                    return new TransferSettled(
                            paymentId,
                            outcome.isSuccess(),
                            outcome.isSuccess() ? null : outcome.getError().getMessage());
                });
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        var builder = newEventHandlerBuilder();
        builder.forStateType(Unrequested.class)
                .onEvent(
                        Requested.class,
                        (s, e) -> new Opened(
                                e.lender(),
                                e.borrower(),
                                e.principal(),
                                e.annualRateBps(),
                                e.lateFeeBps(),
                                e.at(),
                                e.dueAt(),
                                Phase.DISBURSING,
                                null,
                                e.owed(),
                                0,
                                0,
                                0,
                                0,
                                Map.of(),
                                e.link()));
        builder.forStateType(Opened.class).onEvent(Event.class, Loan::apply);
        return builder.build();
    }

    private static State apply(Opened s, Event e) {
        Phase phase = s.phase();
        String reason = s.reason();
        long owed = s.owed();
        long repaid = s.repaid();
        long lateFee = s.lateFee();
        long pending = s.pending();
        int collections = s.collections();
        Map<String, Payment> payments = s.payments();
        if (e instanceof Disbursed d) {
            phase = d.posted() ? Phase.ACTIVE : Phase.VOIDED;
            reason = d.reason();
        } else if (e instanceof PaymentStarted p) {
            pending += p.amount();
            payments = with(payments, p.paymentId(), new Payment(p.amount(), PaymentStatus.PENDING, null));
            if (p.paymentId().startsWith(COLLECTION)) {
                collections++;
            }
        } else if (e instanceof PaymentSettled p) {
            long amount = payments.get(p.paymentId()).amount();
            pending -= amount;
            payments = with(
                    payments,
                    p.paymentId(),
                    new Payment(amount, p.posted() ? PaymentStatus.POSTED : PaymentStatus.VOIDED, p.reason()));
            if (p.posted()) {
                owed -= amount;
                repaid += amount;
                if (owed == 0) {
                    phase = Phase.REPAID;
                }
            }
        } else if (e instanceof FellOverdue f) {
            phase = Phase.OVERDUE;
            lateFee = f.lateFee();
            owed += f.lateFee();
        }
        return new Opened(
                s.lender(),
                s.borrower(),
                s.principal(),
                s.annualRateBps(),
                s.lateFeeBps(),
                s.openedAt(),
                s.dueAt(),
                phase,
                reason,
                owed,
                repaid,
                lateFee,
                pending,
                collections,
                payments,
                e.link());
    }

    private static Map<String, Payment> with(Map<String, Payment> map, String key, Payment value) {
        Map<String, Payment> next = new TreeMap<>(map);
        next.put(key, value);
        return next;
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (s instanceof Opened o) {
                        resume(o); // resume transfers on their way, or re-arm the timer
                    }
                })
                .build();
    }

    private void waitFor(String key, ActorRef<StatusReply<Summary>> replyTo) {
        waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(replyTo);
    }

    private void answerWaiting(String key, Opened s) {
        List<ActorRef<StatusReply<Summary>>> waiters = waiting.remove(key);
        if (waiters != null) {
            waiters.forEach(w -> w.tell(StatusReply.success(summary(s))));
        }
    }

    private ReplyEffect<Event, State> paymentAnswer(
            Opened s, String paymentId, ActorRef<StatusReply<Summary>> replyTo) {
        Payment p = s.payments().get(paymentId);
        return p.status() == PaymentStatus.POSTED
                ? Effect().reply(replyTo, StatusReply.success(summary(s)))
                : Effect().reply(replyTo, StatusReply.error(p.reason()));
    }

    private Summary summary(Opened s) {
        return new Summary(
                id,
                s.lender(),
                s.borrower(),
                s.principal(),
                s.annualRateBps(),
                s.openedAt(),
                s.dueAt(),
                s.phase(),
                s.reason(),
                s.owed(),
                s.repaid(),
                s.lateFee(),
                s.pending(),
                s.payments());
    }

    private Instant now() {
        return clock.instant();
    }

    private ReplyEffect<Event, State> unknown(ActorRef<StatusReply<Summary>> replyTo) {
        return reject(replyTo, TermRejection.LOAN_UNKNOWN, "no loan " + id);
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, TermRejection why, String details) {
        return Effect().reply(replyTo, StatusReply.error(why.message(details)));
    }
}

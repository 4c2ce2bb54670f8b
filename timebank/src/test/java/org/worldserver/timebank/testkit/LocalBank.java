package org.worldserver.timebank.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.Bank;
import org.worldserver.timebank.Deposit;
import org.worldserver.timebank.LedgerCheck;
import org.worldserver.timebank.Loan;
import org.worldserver.timebank.Transfer;

/**
 * The bank on plain actors of one test kit: one real entity per id, spawned on first use, as Cluster Sharding would
 * give (for tests on the in-memory journal). Coordinators retry every 200 ms; asks wait 10 s.
 */
public final class LocalBank implements Bank {

    public static final Duration RETRY = Duration.ofMillis(200);
    public static final Duration ASK = Duration.ofSeconds(10);

    private final ActorTestKit kit;
    private final MutableClock clock;
    private final String treasury;
    private final Map<String, ActorRef<Account.Command>> accounts = new ConcurrentHashMap<>();
    private final Map<String, ActorRef<Transfer.Command>> transfers = new ConcurrentHashMap<>();
    private final Map<String, ActorRef<Deposit.Command>> deposits = new ConcurrentHashMap<>();
    private final Map<String, ActorRef<Loan.Command>> loans = new ConcurrentHashMap<>();

    public LocalBank(ActorTestKit kit, MutableClock clock, String treasury) {
        this.kit = kit;
        this.clock = clock;
        this.treasury = treasury;
    }

    @Override
    public CompletionStage<StatusReply<Account.Summary>> account(
            String id, Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command) {
        return AskPattern.ask(
                accounts.computeIfAbsent(id, i -> kit.spawn(Account.create(i, clock))),
                command::apply,
                ASK,
                kit.scheduler());
    }

    @Override
    public CompletionStage<StatusReply<Transfer.Summary>> transfer(
            String id, Function<ActorRef<StatusReply<Transfer.Summary>>, Transfer.Command> command) {
        return AskPattern.ask(
                transfers.computeIfAbsent(id, i -> kit.spawn(Transfer.create(i, this, clock, RETRY, self -> {}))),
                command::apply,
                ASK,
                kit.scheduler());
    }

    public CompletionStage<StatusReply<Deposit.Summary>> deposit(
            String id, Deposit.Terms terms, Function<ActorRef<StatusReply<Deposit.Summary>>, Deposit.Command> command) {
        return AskPattern.ask(
                deposits.computeIfAbsent(
                        id, i -> kit.spawn(Deposit.create(i, this, treasury, terms, clock, RETRY, self -> {}))),
                command::apply,
                ASK,
                kit.scheduler());
    }

    public CompletionStage<StatusReply<Loan.Summary>> loan(
            String id, Loan.Rules rules, Function<ActorRef<StatusReply<Loan.Summary>>, Loan.Command> command) {
        return AskPattern.ask(
                loans.computeIfAbsent(id, i -> kit.spawn(Loan.create(i, this, rules, clock, RETRY, self -> {}))),
                command::apply,
                ASK,
                kit.scheduler());
    }

    /** Fires deposit {@code id}'s timer now (after a test moved the clock past a maturity). */
    public void wakeDeposit(String id) {
        ActorRef<Deposit.Command> ref = deposits.get(id);
        if (ref != null) {
            ref.tell(Deposit.Tick.INSTANCE);
        }
    }

    /** Fires loan {@code id}'s timer now (after a test moved the clock past a due time or a collection). */
    public void wakeLoan(String id) {
        ActorRef<Loan.Command> ref = loans.get(id);
        if (ref != null) {
            ref.tell(Loan.Tick.INSTANCE);
        }
    }

    /** Stops deposit {@code id}'s actor (as a crash would); the next ask recovers it from the journal. */
    public void crashDeposit(String id) {
        ActorRef<Deposit.Command> ref = deposits.remove(id);
        if (ref != null) {
            kit.stop(ref);
        }
    }

    /** Stops loan {@code id}'s actor (as a crash would); the next ask recovers it from the journal. */
    public void crashLoan(String id) {
        ActorRef<Loan.Command> ref = loans.remove(id);
        if (ref != null) {
            kit.stop(ref);
        }
    }

    /** The account's summary; fails the test if the account refuses. */
    public Account.Summary get(String id) {
        StatusReply<Account.Summary> reply =
                account(id, Account.Get::new).toCompletableFuture().join();
        if (reply.isError()) {
            throw new AssertionError(reply.getError().getMessage());
        }
        return reply.getValue();
    }

    /** The answer's value; fails the test when it is a refusal. */
    public static <T> T ok(CompletionStage<StatusReply<T>> stage) {
        StatusReply<T> reply = stage.toCompletableFuture().join();
        if (reply.isError()) {
            throw new AssertionError("refused: " + reply.getError().getMessage());
        }
        return reply.getValue();
    }

    /** Fails the test unless {@code reply} is a refusal with the stable code {@code code}. */
    public static void refused(String code, StatusReply<?> reply) {
        if (reply.isSuccess()) {
            throw new AssertionError("accepted, expected " + code + ": " + reply.getValue());
        }
        if (!reply.getError().getMessage().startsWith(code + ": ")) {
            throw new AssertionError(
                    "expected " + code + ", was " + reply.getError().getMessage());
        }
    }

    /** Opens avatar account {@code id} and, unless {@code credits} is 0, pays it that many credits, minted for it. */
    public String funded(String id, long credits, long overdraft) {
        ok(account(id, r -> new Account.Open(id, Account.Kind.AVATAR, overdraft, r)));
        if (credits > 0) {
            long micros = credits * Account.MICROS_PER_CREDIT;
            ok(mintInTreasury(treasury, "seed-" + id, micros, "test"));
            Transfer.Summary paid = ok(transfer("seed-" + id, r -> new Transfer.Start(treasury, id, micros, r)));
            if (paid.phase() != Transfer.Phase.POSTED) {
                throw new AssertionError("funding " + id + ": " + paid);
            }
        }
        return id;
    }

    /** Fails the test unless the treasury and {@code accounts} are conserved to the micro-credit (at rest). */
    public void assertAtRest(String... accounts) {
        List<Account.Summary> all = new ArrayList<>();
        all.add(get(treasury));
        for (String a : accounts) {
            all.add(get(a));
        }
        LedgerCheck check = LedgerCheck.of(all);
        if (!check.exact()) {
            throw new AssertionError("not conserved: " + check);
        }
    }

    /** Asks {@code get} until its answer satisfies {@code done} (steps run on their own timers), for up to 10 s. */
    public static <T> T await(Supplier<T> get, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            T now = get.get();
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("stuck at " + now);
            }
            Thread.sleep(20);
        }
    }
}

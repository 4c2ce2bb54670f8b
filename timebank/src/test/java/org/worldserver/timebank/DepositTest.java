package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.worldserver.timebank.testkit.LocalBank.ok;
import static org.worldserver.timebank.testkit.LocalBank.refused;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.testkit.LocalBank;

/**
 * Time deposits on real Account, Transfer and Deposit entities (in-memory journal): principal locked for the term
 * and returned with interest minted by the treasury at maturity, exactly once through a crash; early withdrawal
 * returns the principal and forfeits the interest; refusals change nothing; a refused step is tried again.
 */
class DepositTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "deposit-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final long CREDIT = Account.MICROS_PER_CREDIT;
    private static final Deposit.Terms TERMS = new Deposit.Terms(300, Duration.ofDays(1), Duration.ofDays(365), 3);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String treasury = run + "-treasury";
    private final LocalBank bank = new LocalBank(KIT, clock, treasury);

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private String funded(String name, long credits) {
        return bank.funded(run + "-" + name, credits, 0);
    }

    private StatusReply<Deposit.Summary> deposit(
            String id, Function<ActorRef<StatusReply<Deposit.Summary>>, Deposit.Command> command) {
        return bank.deposit(run + "-" + id, TERMS, command)
                .toCompletableFuture()
                .join();
    }

    /** Asks deposit {@code id} until it satisfies {@code done} (its steps run on their own timers). */
    private Deposit.Summary awaitDeposit(String id, Predicate<Deposit.Summary> done) throws InterruptedException {
        return LocalBank.await(() -> deposit(id, Deposit.Get::new).getValue(), done);
    }

    @Test
    void shouldReturnPrincipalAndInterestAtMaturityOnce() throws Exception {
        String ada = funded("ada", 100);
        Deposit.Summary active = deposit("d1", r -> new Deposit.Open(ada, 40 * CREDIT, Duration.ofDays(30), r))
                .getValue();
        assertEquals(Deposit.Phase.ACTIVE, active.phase());
        assertEquals(98_630, active.interest(), "⌊40 credits × 3 % × 30/365⌋, fixed at opening");
        assertEquals(clock.instant().plus(Duration.ofDays(30)), active.maturesAt());
        Account.Summary locked = bank.get(ada);
        assertEquals(100 * CREDIT, locked.balance());
        assertEquals(40 * CREDIT, locked.deposited());
        assertEquals(60 * CREDIT, locked.available());
        assertEquals(
                active,
                deposit("d1", r -> new Deposit.Open(ada, 40 * CREDIT, Duration.ofDays(30), r))
                        .getValue(),
                "the same open again");
        refused("id-reused", deposit("d1", r -> new Deposit.Open(ada, 41 * CREDIT, Duration.ofDays(30), r)));

        bank.wakeDeposit(run + "-d1"); // too early: nothing happens
        assertEquals(
                Deposit.Phase.ACTIVE, deposit("d1", Deposit.Get::new).getValue().phase());

        clock.advance(Duration.ofDays(30));
        bank.wakeDeposit(run + "-d1");
        awaitDeposit("d1", d -> d.phase() == Deposit.Phase.PAID);
        Account.Summary paid = bank.get(ada);
        assertEquals(100 * CREDIT + 98_630, paid.balance());
        assertEquals(0, paid.deposited());
        assertEquals(100 * CREDIT + 98_630, bank.get(treasury).minted(), "the interest is minted, once");
        assertEquals(0, bank.get(treasury).balance());

        bank.wakeDeposit(run + "-d1");
        bank.crashDeposit(run + "-d1");
        assertEquals(
                Deposit.Phase.PAID, deposit("d1", Deposit.Get::new).getValue().phase());
        assertEquals(100 * CREDIT + 98_630, bank.get(ada).balance(), "nothing paid twice");
        refused("deposit-not-active", deposit("d1", Deposit.Withdraw::new));
        bank.assertAtRest(ada);
    }

    @Test
    void shouldReturnOnlyThePrincipalWhenWithdrawnEarly() throws Exception {
        String ada = funded("ada", 10);
        deposit("d2", r -> new Deposit.Open(ada, 10 * CREDIT, Duration.ofDays(90), r));
        clock.advance(Duration.ofDays(89));
        Deposit.Summary withdrawn = deposit("d2", Deposit.Withdraw::new).getValue();
        assertEquals(Deposit.Phase.WITHDRAWN, withdrawn.phase());
        assertTrue(withdrawn.reason().contains("interest forfeited"), withdrawn.reason());
        assertEquals(withdrawn, deposit("d2", Deposit.Withdraw::new).getValue(), "a repeat is the same answer");
        Account.Summary after = bank.get(ada);
        assertEquals(10 * CREDIT, after.balance());
        assertEquals(10 * CREDIT, after.free());

        clock.advance(Duration.ofDays(2));
        bank.wakeDeposit(run + "-d2"); // past the maturity: a withdrawn deposit pays nothing
        assertEquals(
                Deposit.Phase.WITHDRAWN,
                deposit("d2", Deposit.Get::new).getValue().phase());
        assertEquals(10 * CREDIT, bank.get(treasury).minted(), "only the seed was minted");
        bank.assertAtRest(ada);
    }

    @Test
    void shouldRefuseBadTermsAndVoidWhatTheAccountRefuses() {
        String ada = funded("ada", 5);
        refused("amount-invalid", deposit("x1", r -> new Deposit.Open(ada, 0, Duration.ofDays(30), r)));
        refused("amount-invalid", deposit("x2", r -> new Deposit.Open(ada, -CREDIT, Duration.ofDays(30), r)));
        refused("deposit-invalid", deposit("x3", r -> new Deposit.Open(ada, CREDIT, Duration.ofHours(1), r)));
        refused("deposit-invalid", deposit("x4", r -> new Deposit.Open(ada, CREDIT, Duration.ofDays(366), r)));
        refused("deposit-invalid", deposit("x5", r -> new Deposit.Open(" ", CREDIT, Duration.ofDays(30), r)));
        refused("deposit-unknown", deposit("x6", Deposit.Get::new));
        refused("deposit-unknown", deposit("x6", Deposit.Withdraw::new));
        StatusReply<Deposit.Summary> huge = bank.deposit(
                        run + "-x7",
                        new Deposit.Terms(20_000, Duration.ofDays(1), Duration.ofDays(365), 3),
                        r -> new Deposit.Open(ada, Long.MAX_VALUE, Duration.ofDays(365), r))
                .toCompletableFuture()
                .join();
        refused("amount-overflow", huge);

        Deposit.Summary poor = deposit("x8", r -> new Deposit.Open(ada, 6 * CREDIT, Duration.ofDays(30), r))
                .getValue();
        assertEquals(Deposit.Phase.VOIDED, poor.phase());
        assertTrue(poor.reason().startsWith("insufficient-funds: "), poor.reason());
        Deposit.Summary nobody = deposit("x9", r -> new Deposit.Open(run + "-nobody", CREDIT, Duration.ofDays(30), r))
                .getValue();
        assertTrue(nobody.reason().startsWith("account-not-open: "), nobody.reason());
        refused("deposit-not-active", deposit("x8", Deposit.Withdraw::new));
        assertEquals(0, bank.get(ada).deposited(), "nothing was locked");
        assertEquals(5 * CREDIT, bank.get(ada).free());
    }

    @Test
    void shouldKeepTryingToPayWhileTheTreasuryRefusesAndFinishAfterACrash() throws Exception {
        String ada = funded("ada", 20);
        deposit("d3", r -> new Deposit.Open(ada, 20 * CREDIT, Duration.ofDays(365), r));
        ok(bank.account(treasury, r -> new Account.Freeze("audit", r)));
        clock.advance(Duration.ofDays(365));
        bank.wakeDeposit(run + "-d3");
        Deposit.Summary stuck = awaitDeposit("d3", d -> d.phase() == Deposit.Phase.MINTING);
        assertEquals(20 * CREDIT, bank.get(ada).free(), "the principal is back even while the interest waits");

        bank.crashDeposit(run + "-d3"); // and the node goes down meanwhile
        ok(bank.account(treasury, Account.Unfreeze::new));
        assertEquals(
                Deposit.Phase.MINTING,
                deposit("d3", Deposit.Get::new).getValue().phase());
        Deposit.Summary paid = awaitDeposit("d3", d -> d.phase() == Deposit.Phase.PAID);
        assertEquals(600_000, stuck.interest(), "3 % of 20 credits for a year");
        assertEquals(paid.interest(), stuck.interest());
        assertEquals(20 * CREDIT + 600_000, bank.get(ada).balance());
        bank.assertAtRest(ada);
    }

    @Test
    void shouldEndUnpaidWhenTheInterestCannotBePaidAndKeepItInTheTreasury() throws Exception {
        String ada = funded("ada", 10);
        String bob = funded("bob", 1);
        deposit("d4", r -> new Deposit.Open(ada, 10 * CREDIT, Duration.ofDays(365), r));
        ok(bank.account(treasury, r -> new Account.Freeze("audit", r))); // the interest waits at MINTING
        clock.advance(Duration.ofDays(365));
        bank.wakeDeposit(run + "-d4");
        awaitDeposit("d4", d -> d.phase() == Deposit.Phase.MINTING);
        // Meanwhile ada moves everything out and closes her account.
        ok(bank.transfer(run + "-out", r -> new Transfer.Start(ada, bob, 10 * CREDIT, r)));
        ok(bank.account(ada, Account.Close::new));
        ok(bank.account(treasury, Account.Unfreeze::new));

        Deposit.Summary unpaid = awaitDeposit("d4", d -> d.phase() == Deposit.Phase.UNPAID);
        assertTrue(
                unpaid.reason().contains("after 3 attempts") && unpaid.reason().contains("account-closed"),
                unpaid.reason());
        assertEquals(300_000, bank.get(treasury).balance(), "the minted interest stays in the treasury");
        bank.assertAtRest(ada, bob);
    }
}

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
 * Loans on real Account, Transfer and Loan entities (in-memory journal): disbursed once, repaid by payments that
 * each count once and never beyond what is owed, a late fee and collections from what the borrower has free once
 * overdue; refusals change nothing; the ledger stays conserved.
 */
class LoanTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "loan-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final long CREDIT = Account.MICROS_PER_CREDIT;
    private static final Loan.Rules RULES = new Loan.Rules(5_000, Duration.ofDays(365), 500, Duration.ofMinutes(1));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String treasury = run + "-treasury";
    private final LocalBank bank = new LocalBank(KIT, clock, treasury);

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private String funded(String name, long credits) {
        return bank.funded(run + "-" + name, credits, 2 * CREDIT);
    }

    private StatusReply<Loan.Summary> loan(
            String id, Function<ActorRef<StatusReply<Loan.Summary>>, Loan.Command> command) {
        return bank.loan(run + "-" + id, RULES, command).toCompletableFuture().join();
    }

    private Loan.Summary open(String id, String lender, String borrower, long micros, long bps, Duration term) {
        Instant due = clock.instant().plus(term);
        return loan(id, r -> new Loan.Open(lender, borrower, micros, bps, due, r))
                .getValue();
    }

    private Loan.Summary awaitLoan(String id, Predicate<Loan.Summary> done) throws InterruptedException {
        return LocalBank.await(() -> loan(id, Loan.Get::new).getValue(), done);
    }

    @Test
    void shouldDisburseOnceAndCountEachRepaymentOnce() {
        String lender = funded("lender", 100);
        String borrower = funded("borrower", 0);
        Loan.Summary active = open("l1", lender, borrower, 50 * CREDIT, 1_000, Duration.ofDays(73));
        assertEquals(Loan.Phase.ACTIVE, active.phase());
        assertEquals(51 * CREDIT, active.owed(), "50 credits + 10 % for a fifth of a year");
        assertEquals(50 * CREDIT, bank.get(borrower).balance());
        assertEquals(50 * CREDIT, bank.get(lender).balance());
        Instant due = active.dueAt();
        assertEquals(
                active,
                loan("l1", r -> new Loan.Open(lender, borrower, 50 * CREDIT, 1_000, due, r))
                        .getValue(),
                "the same open again moves nothing");
        refused("id-reused", loan("l1", r -> new Loan.Open(lender, borrower, 40 * CREDIT, 1_000, due, r)));

        assertEquals(
                31 * CREDIT,
                ok(bank.loan(run + "-l1", RULES, r -> new Loan.Repay("p1", 20 * CREDIT, r)))
                        .owed());
        assertEquals(
                31 * CREDIT,
                loan("l1", r -> new Loan.Repay("p1", 20 * CREDIT, r)).getValue().owed(),
                "once");
        refused("id-reused", loan("l1", r -> new Loan.Repay("p1", 21 * CREDIT, r)));
        refused("loan-overpayment", loan("l1", r -> new Loan.Repay("p2", 32 * CREDIT, r)));
        refused("amount-invalid", loan("l1", r -> new Loan.Repay("p3", 0, r)));
        refused("loan-invalid", loan("l1", r -> new Loan.Repay("collection-9", CREDIT, r)));

        // The borrower spends 25 and has 5 credits + a 2-credit overdraft: a payment of 8 is refused by the account.
        String shop = funded("shop", 0);
        ok(bank.transfer(run + "-spend", r -> new Transfer.Start(borrower, shop, 25 * CREDIT, r)));
        refused("insufficient-funds", loan("l1", r -> new Loan.Repay("p4", 8 * CREDIT, r)));
        refused("insufficient-funds", loan("l1", r -> new Loan.Repay("p4", 8 * CREDIT, r)));
        Loan.Summary afterRefusal = loan("l1", Loan.Get::new).getValue();
        assertEquals(31 * CREDIT, afterRefusal.owed(), "a voided payment changes nothing owed");
        assertEquals(
                Loan.PaymentStatus.VOIDED, afterRefusal.payments().get("p4").status());

        ok(bank.mintInTreasury(treasury, "gift", 26 * CREDIT, "test"));
        ok(bank.transfer("gift", r -> new Transfer.Start(treasury, borrower, 26 * CREDIT, r)));
        Loan.Summary repaid =
                loan("l1", r -> new Loan.Repay("p5", 31 * CREDIT, r)).getValue();
        assertEquals(Loan.Phase.REPAID, repaid.phase());
        assertEquals(0, repaid.owed());
        assertEquals(51 * CREDIT, repaid.repaid());
        assertEquals(101 * CREDIT, bank.get(lender).balance(), "principal and interest back");
        assertEquals(0, bank.get(borrower).balance());
        refused("loan-not-active", loan("l1", r -> new Loan.Repay("p6", CREDIT, r)));

        bank.crashLoan(run + "-l1");
        assertEquals(repaid, loan("l1", Loan.Get::new).getValue(), "recovered as it was");
        bank.assertAtRest(lender, borrower, shop);
    }

    @Test
    void shouldChargeALateFeeAndCollectWhatTheBorrowerHasFree() throws Exception {
        String lender = funded("lender", 10);
        String borrower = funded("borrower", 0);
        String shop = funded("shop", 0);
        open("l2", lender, borrower, 10 * CREDIT, 0, Duration.ofDays(1));
        ok(bank.transfer(run + "-spend", r -> new Transfer.Start(borrower, shop, 7 * CREDIT, r)));

        bank.wakeLoan(run + "-l2"); // before the due time: nothing
        assertEquals(Loan.Phase.ACTIVE, loan("l2", Loan.Get::new).getValue().phase());
        clock.advance(Duration.ofDays(1));
        bank.wakeLoan(run + "-l2");
        Loan.Summary overdue = awaitLoan("l2", l -> l.repaid() == 3 * CREDIT);
        assertEquals(Loan.Phase.OVERDUE, overdue.phase());
        assertEquals(CREDIT / 2, overdue.lateFee(), "5 % of the 10 owed at the due time");
        assertEquals(7 * CREDIT + CREDIT / 2, overdue.owed());
        assertEquals(
                Loan.PaymentStatus.POSTED,
                overdue.payments().get("collection-1").status());
        assertEquals(0, bank.get(borrower).balance(), "everything free was collected, and never the overdraft");

        bank.crashLoan(run + "-l2"); // recovery re-arms collections
        ok(bank.mintInTreasury(treasury, "wage", 9 * CREDIT, "test"));
        ok(bank.transfer("wage", r -> new Transfer.Start(treasury, borrower, 9 * CREDIT, r)));
        loan("l2", Loan.Get::new);
        bank.wakeLoan(run + "-l2");
        Loan.Summary repaid = awaitLoan("l2", l -> l.phase() == Loan.Phase.REPAID);
        assertEquals(10 * CREDIT + CREDIT / 2, repaid.repaid());
        assertEquals(CREDIT + CREDIT / 2, bank.get(borrower).balance(), "only what was owed was taken");
        assertEquals(10 * CREDIT + CREDIT / 2, bank.get(lender).balance());
        bank.assertAtRest(lender, borrower, shop);
    }

    @Test
    void shouldRefuseBadTermsAndVoidAnUnfundedLoan() {
        String lender = funded("lender", 5);
        String borrower = funded("borrower", 0);
        Instant due = clock.instant().plus(Duration.ofDays(30));
        refused("loan-invalid", loan("b1", r -> new Loan.Open(lender, lender, CREDIT, 100, due, r)));
        refused("loan-invalid", loan("b2", r -> new Loan.Open(lender, borrower, CREDIT, 5_001, due, r)));
        refused("loan-invalid", loan("b3", r -> new Loan.Open(lender, borrower, CREDIT, -1, due, r)));
        refused("loan-invalid", loan("b4", r -> new Loan.Open(lender, borrower, CREDIT, 100, clock.instant(), r)));
        Instant tooLate = clock.instant().plus(Duration.ofDays(366));
        refused("loan-invalid", loan("b5", r -> new Loan.Open(lender, borrower, CREDIT, 100, tooLate, r)));
        refused("amount-invalid", loan("b6", r -> new Loan.Open(lender, borrower, 0, 100, due, r)));
        refused("amount-overflow", loan("b7", r -> new Loan.Open(lender, borrower, Long.MAX_VALUE, 100, due, r)));
        refused("loan-unknown", loan("b8", Loan.Get::new));
        refused("loan-unknown", loan("b8", r -> new Loan.Repay("p", CREDIT, r)));

        Loan.Summary voided = open("b9", lender, borrower, 8 * CREDIT, 100, Duration.ofDays(30));
        assertEquals(Loan.Phase.VOIDED, voided.phase());
        assertTrue(voided.reason().startsWith("insufficient-funds: "), voided.reason());
        refused("loan-not-active", loan("b9", r -> new Loan.Repay("p", CREDIT, r)));
        assertEquals(5 * CREDIT, bank.get(lender).balance(), "nothing moved");
        assertEquals(0, bank.get(borrower).balance());
    }
}

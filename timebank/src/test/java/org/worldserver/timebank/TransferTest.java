package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.testkit.LocalBank;

/**
 * Transfers between real Account entities on the in-memory journal: posted once however often it is started,
 * voided with the account's reason when the debit or the credit is refused (the hold given back), and refused
 * before it starts for bad terms or a reused id.
 */
class TransferTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "transfer-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final long CREDIT = Account.MICROS_PER_CREDIT;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    /** A fresh prefix per test: the in-memory journal is shared by the whole test class. */
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private final Map<String, ActorRef<Account.Command>> refs = new ConcurrentHashMap<>();
    private final Transfer.Accounts accounts = (id, command) -> AskPattern.ask(
            refs.computeIfAbsent(id, i -> KIT.spawn(Account.create(i, clock))),
            command::apply,
            Duration.ofSeconds(3),
            KIT.scheduler());

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private String account(String name, long credits) {
        String id = run + "-" + name;
        ask(id, r -> new Account.Open(name, Account.Kind.AVATAR, 0, r));
        if (credits > 0) {
            ask(id, r -> new Account.Credit("seed-" + id, credits * CREDIT, "treasury", r));
        }
        return id;
    }

    private Account.Summary ask(
            String id, java.util.function.Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command) {
        StatusReply<Account.Summary> reply =
                accounts.account(id, command).toCompletableFuture().join();
        assertTrue(reply.isSuccess(), () -> reply.getError().getMessage());
        return reply.getValue();
    }

    private ActorRef<Transfer.Command> transfer(String id) {
        return KIT.spawn(Transfer.create(run + "-" + id, accounts, clock, Duration.ofMillis(200), self -> {}));
    }

    private StatusReply<Transfer.Summary> start(ActorRef<Transfer.Command> t, String from, String to, long credits) {
        TestProbe<StatusReply<Transfer.Summary>> probe = KIT.createTestProbe();
        t.tell(new Transfer.Start(from, to, credits * CREDIT, probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    @Test
    void shouldPostOnceHoweverOftenItIsStarted() {
        String ada = account("ada", 10);
        String bob = account("bob", 0);
        ActorRef<Transfer.Command> t = transfer("t1");
        Transfer.Summary posted = start(t, ada, bob, 4).getValue();
        assertEquals(Transfer.Phase.POSTED, posted.phase());
        assertEquals(6 * CREDIT, ask(ada, Account.Get::new).balance());
        assertEquals(4 * CREDIT, ask(bob, Account.Get::new).balance());
        assertEquals(0, ask(ada, Account.Get::new).held());

        assertEquals(posted, start(t, ada, bob, 4).getValue(), "a retry gets the outcome");
        assertEquals(6 * CREDIT, ask(ada, Account.Get::new).balance(), "and moves nothing more");
        StatusReply<Transfer.Summary> reused = start(t, ada, bob, 5);
        assertTrue(
                reused.getError().getMessage().startsWith("id-reused: "),
                reused.getError().getMessage());

        // A new coordinator for the same id (as after a restart elsewhere) recovers the outcome.
        KIT.stop(t);
        ActorRef<Transfer.Command> again = transfer("t1");
        assertEquals(posted, start(again, ada, bob, 4).getValue());
        assertEquals(4 * CREDIT, ask(bob, Account.Get::new).balance());
    }

    @Test
    void shouldVoidWithTheAccountsReasonAndGiveTheHoldBack() {
        String ada = account("ada", 1);
        String bob = account("bob", 0);
        Transfer.Summary poor = start(transfer("t-poor"), ada, bob, 5).getValue();
        assertEquals(Transfer.Phase.VOIDED, poor.phase());
        assertTrue(poor.reason().startsWith("insufficient-funds: "), poor.reason());

        // The destination was never opened: the credit is refused after the hold was placed.
        String nobody = run + "-nobody";
        Transfer.Summary lost = start(transfer("t-nobody"), ada, nobody, 1).getValue();
        assertEquals(Transfer.Phase.VOIDED, lost.phase());
        assertTrue(lost.reason().startsWith("account-not-open: "), lost.reason());
        Account.Summary after = ask(ada, Account.Get::new);
        assertEquals(CREDIT, after.balance(), "nothing moved");
        assertEquals(0, after.held(), "the hold was given back");
    }

    @Test
    void shouldRefuseBadTermsBeforeStarting() {
        String ada = account("ada", 1);
        assertTrue(start(transfer("t-zero"), ada, run + "-bob", 0)
                .getError()
                .getMessage()
                .startsWith("amount-invalid"));
        assertTrue(
                start(transfer("t-self"), ada, ada, 1).getError().getMessage().startsWith("transfer-invalid"));
        TestProbe<StatusReply<Transfer.Summary>> probe = KIT.createTestProbe();
        transfer("t-none").tell(new Transfer.Get(probe.ref()));
        assertTrue(probe.receiveMessage().getError().getMessage().startsWith("transfer-unknown"));
    }

    @Test
    void shouldFinishOnceAfterACrashBetweenCreditAndCapture() throws InterruptedException {
        String ada = account("ada", 10);
        String bob = account("bob", 0);
        String id = run + "-t-crash";
        // A coordinator whose capture never reaches the account: it holds and credits, then the node goes down.
        TestProbe<String> captures = KIT.createTestProbe();
        Transfer.Accounts dropsCaptures = (account, command) -> {
            TestProbe<StatusReply<Account.Summary>> sink = KIT.createTestProbe();
            if (command.apply(sink.ref()) instanceof Account.Capture) {
                captures.ref().tell(account);
                return new CompletableFuture<>(); // no answer, ever
            }
            return accounts.account(account, command);
        };
        ActorRef<Transfer.Command> first =
                KIT.spawn(Transfer.create(id, dropsCaptures, clock, Duration.ofMillis(200), self -> {}));
        first.tell(new Transfer.Start(
                ada,
                bob,
                4 * CREDIT,
                KIT.<StatusReply<Transfer.Summary>>createTestProbe().ref()));
        captures.expectMessage(Duration.ofSeconds(10), ada);
        assertEquals(4 * CREDIT, ask(bob, Account.Get::new).balance(), "credited");
        assertEquals(4 * CREDIT, ask(ada, Account.Get::new).held(), "not yet debited");
        KIT.stop(first);

        // Its successor starts from the hold: every step already done is answered as done, the capture happens.
        ActorRef<Transfer.Command> again = transfer("t-crash");
        TestProbe<StatusReply<Transfer.Summary>> probe = KIT.createTestProbe();
        LocalBank.await(
                () -> {
                    again.tell(new Transfer.Get(probe.ref()));
                    return probe.receiveMessage().getValue();
                },
                t -> t.phase() == Transfer.Phase.POSTED);
        assertEquals(6 * CREDIT, ask(ada, Account.Get::new).balance());
        assertEquals(0, ask(ada, Account.Get::new).held());
        assertEquals(4 * CREDIT, ask(bob, Account.Get::new).balance(), "credited once");
    }
}

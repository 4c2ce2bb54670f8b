package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.Account.Command;
import org.worldserver.timebank.Account.Event;
import org.worldserver.timebank.Account.Kind;
import org.worldserver.timebank.Account.State;
import org.worldserver.timebank.Account.Summary;
import org.worldserver.timebank.testkit.LocalBank;

/**
 * Account entity logic on the in-memory journal (the testkit also round-trips every command, event and state
 * through the serializer): balances, idempotent credits, holds and their expiry, the treasury's mints and burns,
 * freezing and closing, every refusal with its stable code and no event, and the hash chain over all of it.
 */
class AccountTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "account-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    private static final long CREDIT = Account.MICROS_PER_CREDIT;

    private final MutableClock clock = new MutableClock(START);
    private EventSourcedBehaviorTestKit<Command, Event, State> account;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void create() {
        account = kit("acc-1", clock);
    }

    private static EventSourcedBehaviorTestKit<Command, Event, State> kit(String id, Clock clock) {
        return EventSourcedBehaviorTestKit.create(KIT.system(), Account.create(id, clock));
    }

    private CommandResultWithReply<Command, Event, State, StatusReply<Summary>> run(
            Function<ActorRef<StatusReply<Summary>>, Command> command) {
        return account.runCommand(command::apply);
    }

    private Summary ok(Function<ActorRef<StatusReply<Summary>>, Command> command) {
        StatusReply<Summary> reply = run(command).reply();
        assertTrue(reply.isSuccess(), () -> "refused: " + reply.getError().getMessage());
        return reply.getValue();
    }

    /** Runs a command that must be refused with {@code code}, changing nothing. */
    private void refused(String code, Function<ActorRef<StatusReply<Summary>>, Command> command) {
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> result = run(command);
        assertTrue(result.reply().isError(), () -> "accepted, expected " + code);
        String message = result.reply().getError().getMessage();
        assertTrue(message.startsWith(code + ": "), message);
        assertTrue(result.hasNoEvents(), "a refusal changes nothing");
    }

    private Summary open(Kind kind, long overdraft) {
        return ok(r -> new Account.Open("ada", kind, overdraft, r));
    }

    @Test
    void shouldOpenOnceAndTakeIdempotentCredits() {
        refused("account-not-open", r -> new Account.Credit("t1", CREDIT, "treasury", r));
        refused("account-invalid", r -> new Account.Open(" ", Kind.AVATAR, 0, r));
        refused("amount-invalid", r -> new Account.Open("ada", Kind.AVATAR, -1, r));
        Summary opened = open(Kind.AVATAR, 0);
        assertEquals(0, opened.balance());
        assertEquals(1, opened.events());
        assertTrue(run(r -> new Account.Open("ada", Kind.AVATAR, 0, r)).hasNoEvents(), "the same open again");
        refused("account-exists", r -> new Account.Open("bob", Kind.AVATAR, 0, r));

        assertEquals(
                5 * CREDIT,
                ok(r -> new Account.Credit("t1", 5 * CREDIT, "treasury", r)).balance());
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> again =
                run(r -> new Account.Credit("t1", 5 * CREDIT, "treasury", r));
        assertTrue(again.hasNoEvents(), "a retried credit counts once");
        assertEquals(5 * CREDIT, again.reply().getValue().balance());
        refused("id-reused", r -> new Account.Credit("t1", 6 * CREDIT, "treasury", r));
        refused("amount-invalid", r -> new Account.Credit("t2", 0, "treasury", r));
        refused("amount-invalid", r -> new Account.Credit("t3", -CREDIT, "treasury", r));
        ok(r -> new Account.Credit("t4", Long.MAX_VALUE - 5 * CREDIT, "treasury", r));
        refused("amount-overflow", r -> new Account.Credit("t5", 1, "treasury", r));
    }

    @Test
    void shouldHoldCaptureAndReleaseWithinTheBalanceAndItsOverdraft() {
        open(Kind.AVATAR, 2 * CREDIT);
        ok(r -> new Account.Credit("t1", 10 * CREDIT, "treasury", r));
        Instant later = START.plus(Duration.ofMinutes(5));
        refused("insufficient-funds", r -> new Account.PlaceHold("h0", 13 * CREDIT, later, "trade", r));
        Summary held = ok(r -> new Account.PlaceHold("h1", 12 * CREDIT, later, "trade", r));
        assertEquals(10 * CREDIT, held.balance(), "a hold reserves, it does not move");
        assertEquals(0, held.available(), "balance 10 − held 12 + overdraft 2");
        assertTrue(run(r -> new Account.PlaceHold("h1", 12 * CREDIT, later, "trade", r))
                .hasNoEvents());
        refused("id-reused", r -> new Account.PlaceHold("h1", 11 * CREDIT, later, "trade", r));
        refused("insufficient-funds", r -> new Account.PlaceHold("h2", 1, later, "trade", r));
        refused("amount-invalid", r -> new Account.PlaceHold("h3", 0, later, "trade", r));
        refused("account-invalid", r -> new Account.PlaceHold("h4", 1, START, "trade", r));

        Summary captured = ok(r -> new Account.Capture("h1", "bob", r));
        assertEquals(-2 * CREDIT, captured.balance(), "into the overdraft, no further");
        assertEquals(0, captured.held());
        assertTrue(run(r -> new Account.Capture("h1", "bob", r)).hasNoEvents(), "a retried capture counts once");
        refused("hold-captured", r -> new Account.Release("h1", "changed my mind", r));
        refused("hold-unknown", r -> new Account.Capture("nope", "bob", r));
        refused("hold-unknown", r -> new Account.Release("nope", "why", r));

        ok(r -> new Account.Credit("t2", 5 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("h5", 2 * CREDIT, later, "trade", r));
        Summary released = ok(r -> new Account.Release("h5", "buyer left", r));
        assertEquals(5 * CREDIT, released.available());
        assertTrue(run(r -> new Account.Release("h5", "again", r)).hasNoEvents());
        refused("hold-released", r -> new Account.Capture("h5", "bob", r));
    }

    @Test
    void shouldLetHoldsExpire() {
        open(Kind.AVATAR, 0);
        ok(r -> new Account.Credit("t1", 10 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("soon", 3 * CREDIT, START.plus(Duration.ofMinutes(1)), "trade", r));
        ok(r -> new Account.PlaceHold("late", 4 * CREDIT, START.plus(Duration.ofHours(1)), "trade", r));
        clock.advance(Duration.ofMinutes(2));

        // A capture after the expiry releases the hold and says so.
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> late =
                run(r -> new Account.Capture("soon", "bob", r));
        assertTrue(late.reply().getError().getMessage().startsWith("hold-expired: "));
        assertEquals(Account.HoldReleased.class, late.event().getClass());
        assertEquals(4 * CREDIT, ok(Account.Get::new).held());

        // The timer's command releases whatever has expired, and only that.
        clock.advance(Duration.ofHours(1));
        List<Event> expired =
                account.runCommand(Account.ReleaseExpired.INSTANCE).events();
        assertEquals(1, expired.size());
        assertEquals("expired", ((Account.HoldReleased) expired.get(0)).reason());
        Summary after = ok(Account.Get::new);
        assertEquals(0, after.held());
        assertEquals(10 * CREDIT, after.available());
    }

    @Test
    void shouldReleaseAnExpiredHoldByItsTimer() throws Exception {
        EventSourcedBehaviorTestKit<Command, Event, State> real = kit("acc-timer", Clock.systemUTC());
        real.<StatusReply<Summary>>runCommand(r -> new Account.Open("ada", Kind.AVATAR, 0, r));
        real.<StatusReply<Summary>>runCommand(r -> new Account.Credit("t1", CREDIT, "treasury", r));
        real.<StatusReply<Summary>>runCommand(
                r -> new Account.PlaceHold("h", CREDIT, Instant.now().plusMillis(300), "trade", r));
        LocalBank.await(
                () -> real.<StatusReply<Summary>>runCommand(Account.Get::new)
                        .reply()
                        .getValue(),
                s -> s.held() == 0); // released by its timer
    }

    @Test
    void shouldLockDepositsOutOfTheFreeBalanceOnly() {
        open(Kind.AVATAR, 5 * CREDIT);
        ok(r -> new Account.Credit("t1", 10 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("h1", 4 * CREDIT, START.plusSeconds(60), "trade", r));
        refused("insufficient-funds", r -> new Account.LockDeposit("d0", 7 * CREDIT, r)); // never the overdraft
        refused("amount-invalid", r -> new Account.LockDeposit("d0", 0, r));
        Summary locked = ok(r -> new Account.LockDeposit("d1", 6 * CREDIT, r));
        assertEquals(10 * CREDIT, locked.balance(), "still the holder's money");
        assertEquals(0, locked.free(), "10 − held 4 − deposited 6");
        assertEquals(6 * CREDIT, locked.deposited());
        assertEquals(5 * CREDIT, locked.available(), "only the overdraft is left to spend");
        assertTrue(run(r -> new Account.LockDeposit("d1", 6 * CREDIT, r)).hasNoEvents(), "a repeat locks once");
        refused("id-reused", r -> new Account.LockDeposit("d1", 5 * CREDIT, r));
        refused("account-not-empty", Account.Close::new);

        Summary unlocked = ok(r -> new Account.UnlockDeposit("d1", "matured", r));
        assertEquals(6 * CREDIT, unlocked.free());
        assertEquals(0, unlocked.deposited());
        assertTrue(run(r -> new Account.UnlockDeposit("d1", "again", r)).hasNoEvents(), "a repeat unlocks once");
        refused("id-reused", r -> new Account.LockDeposit("d1", 6 * CREDIT, r)); // a deposit id is used once
        refused("deposit-unknown", r -> new Account.UnlockDeposit("nope", "why", r));

        ok(r -> new Account.Freeze("audit", r));
        refused("account-frozen", r -> new Account.LockDeposit("d2", CREDIT, r));
    }

    @Test
    void shouldLetOnlyTheCoordinatorThatPinnedAHoldMoveIt() {
        open(Kind.AVATAR, 0);
        ok(r -> new Account.Credit("t1", 10 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("h1", 4 * CREDIT, START.plusSeconds(60), "escrow", r));
        refused("id-reused", r -> new Account.PinHold("h1", 3 * CREDIT, "trade-1", r));
        refused("hold-unknown", r -> new Account.PinHold("nope", CREDIT, "trade-1", r));
        refused("account-invalid", r -> new Account.PinHold("h1", 4 * CREDIT, null, r));
        Account.Hold pinned = ok(r -> new Account.PinHold("h1", 4 * CREDIT, "trade-1", r))
                .holds()
                .get("h1");
        assertEquals(new Account.Hold(4 * CREDIT, null, "escrow", "trade-1"), pinned, "no expiry, an owner");
        assertTrue(run(r -> new Account.PinHold("h1", 4 * CREDIT, "trade-1", r)).hasNoEvents());

        // Nobody else may move it: not another escrow transfer, not a client's release or capture.
        refused("hold-pinned", r -> new Account.PinHold("h1", 4 * CREDIT, "trade-2", r));
        refused("hold-pinned", r -> new Account.Release("h1", "operator", r));
        refused("hold-pinned", r -> new Account.Capture("h1", "eve", "trade-2", r));
        refused("hold-pinned", r -> new Account.Capture("h1", "eve", r));

        clock.advance(Duration.ofHours(2));
        assertTrue(account.runCommand(Account.ReleaseExpired.INSTANCE).hasNoEvents(), "a pinned hold stays");
        assertEquals(
                6 * CREDIT,
                ok(r -> new Account.Capture("h1", "bob", "trade-1", r)).balance());
        assertTrue(run(r -> new Account.Capture("h1", "bob", "trade-1", r)).hasNoEvents(), "its repeat: done");
        assertTrue(run(r -> new Account.PinHold("h1", 4 * CREDIT, "trade-1", r)).hasNoEvents(), "so is its pin");
        refused("hold-captured", r -> new Account.Capture("h1", "eve", "trade-2", r)); // never "done" for another
        refused("hold-captured", r -> new Account.PinHold("h1", 4 * CREDIT, "trade-2", r));

        // A transfer's own hold (no expiry) is its own from the start: the hold id is the transfer id.
        ok(r -> new Account.PlaceHold("t-9", CREDIT, null, "transfer to bob", r));
        refused("hold-pinned", r -> new Account.Release("t-9", "operator", r));
        refused("hold-pinned", r -> new Account.PinHold("t-9", CREDIT, "trade-3", r));
        clock.advance(Duration.ofDays(400));
        account.runCommand(Account.ReleaseExpired.INSTANCE);
        assertEquals(CREDIT, ok(Account.Get::new).holds().get("t-9").amount(), "a hold without expiry stays");
        ok(r -> new Account.Release("t-9", "voided", "t-9", r));

        ok(r -> new Account.PlaceHold("h2", CREDIT, clock.instant().plusSeconds(60), "escrow", r));
        clock.advance(Duration.ofMinutes(2));
        refused("hold-expired", r -> new Account.PinHold("h2", CREDIT, "trade-4", r));
    }

    @Test
    void shouldMintAndBurnOnlyInTheTreasuryOncePerReference() {
        open(Kind.AVATAR, 0);
        refused("account-not-treasury", r -> new Account.Mint("batch-1", CREDIT, "attention", r));

        account = kit("treasury", clock);
        open(Kind.OPERATOR_TREASURY, 0);
        refused("account-invalid", r -> new Account.Mint(" ", CREDIT, "attention", r));
        Summary minted = ok(r -> new Account.Mint("batch-1", 100 * CREDIT, "attention settlement", r));
        assertEquals(100 * CREDIT, minted.balance());
        assertTrue(run(r -> new Account.Mint("batch-1", 100 * CREDIT, "attention settlement", r))
                .hasNoEvents());
        refused("id-reused", r -> new Account.Mint("batch-1", 99 * CREDIT, "attention settlement", r));
        refused("amount-invalid", r -> new Account.Mint("batch-2", -1, "oops", r));

        ok(r -> new Account.PlaceHold("h", 90 * CREDIT, START.plusSeconds(60), "payout", r));
        refused("insufficient-funds", r -> new Account.Burn("burn-1", 20 * CREDIT, "expiry", r));
        Summary burned = ok(r -> new Account.Burn("burn-1", 10 * CREDIT, "expiry", r));
        assertEquals(90 * CREDIT, burned.balance());
        assertEquals(100 * CREDIT, burned.minted());
        assertEquals(10 * CREDIT, burned.burned());
        assertTrue(
                run(r -> new Account.Burn("burn-1", 10 * CREDIT, "expiry", r)).hasNoEvents());
    }

    @Test
    void shouldFreezeAgainstNewHoldsAndCloseOnlyWhenEmpty() {
        open(Kind.VENUE, 0);
        ok(r -> new Account.Credit("t1", 3 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("h1", CREDIT, START.plusSeconds(60), "trade", r));
        assertEquals(
                Account.Status.FROZEN, ok(r -> new Account.Freeze("audit", r)).status());
        refused("account-frozen", r -> new Account.PlaceHold("h2", CREDIT, START.plusSeconds(60), "trade", r));
        ok(r -> new Account.Credit("t2", CREDIT, "treasury", r)); // money in flight still lands
        ok(r -> new Account.Capture("h1", "bob", r)); // and a trade already agreed completes
        assertEquals(Account.Status.OPEN, ok(Account.Unfreeze::new).status());

        refused("account-not-empty", Account.Close::new);
        ok(r -> new Account.PlaceHold("h3", 3 * CREDIT, START.plusSeconds(60), "payout", r));
        ok(r -> new Account.Capture("h3", "treasury", r));
        assertEquals(Account.Status.CLOSED, ok(Account.Close::new).status());
        refused("account-closed", r -> new Account.Credit("t3", CREDIT, "treasury", r));
        refused("account-closed", Account.Unfreeze::new);
        assertEquals(Account.Status.CLOSED, ok(Account.Get::new).status(), "a closed account can still be read");
    }

    @Test
    void shouldChainEveryEventAndSurviveARestart() {
        open(Kind.AVATAR, 0);
        ok(r -> new Account.Credit("t1", 10 * CREDIT, "treasury", r));
        ok(r -> new Account.PlaceHold("h1", 4 * CREDIT, START.plusSeconds(60), "trade", r));
        ok(r -> new Account.Capture("h1", "bob", r));
        ok(r -> new Account.LockDeposit("d1", 2 * CREDIT, r));
        ok(r -> new Account.Freeze("audit", r));
        Summary before = ok(Account.Get::new);

        List<Chained<?>> events = chained();
        assertEquals(6, events.size());
        assertEquals(HashChain.Verdict.intact(6), HashChain.verify(events));
        assertEquals(6, before.events());
        assertEquals(events.get(5).link().hash(), before.lastHash());

        List<Statement.Line> statement =
                Statement.of(account.persistenceTestKit().persistedInStorage("Account|acc-1").stream()
                        .map(e -> (Event) e)
                        .toList());
        assertEquals(
                List.of(0L, 10 * CREDIT, 10 * CREDIT, 6 * CREDIT, 6 * CREDIT, 6 * CREDIT),
                statement.stream().map(Statement.Line::balance).toList(),
                "running balances");
        assertEquals(4 * CREDIT, statement.get(2).held());
        assertEquals(-4 * CREDIT, statement.get(3).change());
        assertEquals("HoldCaptured", statement.get(3).event());
        assertEquals(2 * CREDIT, statement.get(4).deposited(), "a deposit stays in the balance, locked");
        assertEquals(before.lastHash(), statement.get(5).hash());

        account.restart();
        Summary after = ok(Account.Get::new);
        assertEquals(before, after, "recovered from its events");
        ok(r -> new Account.Credit("t2", CREDIT, "treasury", r));
        assertEquals(HashChain.Verdict.intact(7), HashChain.verify(chained()), "new events follow the recovered head");
    }

    @Test
    void shouldRecoverALongHistoryFromASnapshotAndKeepEveryEvent() {
        open(Kind.AVATAR, 0);
        for (int i = 0; i < 2 * Account.SNAPSHOT_EVERY + 30; i++) {
            String transfer = "t" + i;
            ok(r -> new Account.Credit(transfer, CREDIT, "treasury", r));
        }
        Summary before = ok(Account.Get::new);
        assertTrue(
                !account.snapshotTestKit()
                        .orElseThrow()
                        .persistedInStorage("Account|acc-1")
                        .isEmpty(),
                "snapshots were stored");
        account.restart();
        assertEquals(before, ok(Account.Get::new), "recovered from a snapshot and the events after it");
        assertTrue(run(r -> new Account.Credit("t7", CREDIT, "treasury", r)).hasNoEvents(), "ids remembered");
        assertEquals(
                HashChain.Verdict.intact(2 * Account.SNAPSHOT_EVERY + 31),
                HashChain.verify(chained()),
                "no event deleted: the whole chain is still there");
    }

    /** The account's events as persisted. */
    private List<Chained<?>> chained() {
        return account.persistenceTestKit().persistedInStorage("Account|acc-1").stream()
                .<Chained<?>>map(e -> (Chained<?>) e)
                .toList();
    }
}

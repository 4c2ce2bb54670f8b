package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.worldserver.persistence.testkit.MutableClock;

/**
 * Conservation as a property: random sequences of mints and burns (some references reused), transfers (some ids
 * reused, some for more than the debtor has, some to accounts never opened), holds placed, released, moved to
 * another account as escrow (some of the wrong amount or already ended) or left to expire while the clock jumps,
 * deposits locked and unlocked, on real Account and Transfer entities (in-memory journal). After every step free +
 * held + deposited equals minted − burned, nothing is below its overdraft limit, and every transfer has settled
 * (posted or voided).
 */
class LedgerPropertyTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "ledger-property-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final long CREDIT = Account.MICROS_PER_CREDIT;
    private static final String[] HOLDERS = {"a", "b", "c"};

    sealed interface Step {}

    record Mint(int reference, long credits) implements Step {}

    record Burn(int reference, long credits) implements Step {}

    record Move(int id, int from, int to, long credits) implements Step {}

    record Hold(int id, int account, long credits, int minutes) implements Step {}

    record Release(int id, int account) implements Step {}

    /** Moves hold {@code hold} of {@code from} to {@code to} as an escrow transfer (it may not be of that amount). */
    record MoveHold(int id, int hold, int from, int to, long credits) implements Step {}

    record Lock(int id, int account, long credits) implements Step {}

    record Unlock(int id, int account) implements Step {}

    record Wait(int minutes) implements Step {}

    @AfterContainer
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 5); // ids and references repeat
        Arbitrary<Integer> account = Arbitraries.integers().between(0, 3); // 3: never opened
        Arbitrary<Long> credits = Arbitraries.longs().between(0, 60);
        Arbitrary<Step> step = Arbitraries.oneOf(
                Combinators.combine(small, credits).as(Mint::new),
                Combinators.combine(small, credits).as(Burn::new),
                Combinators.combine(small, account, account, credits).as(Move::new),
                Combinators.combine(
                                small, account, credits, Arbitraries.integers().between(1, 10))
                        .as(Hold::new),
                Combinators.combine(small, account).as(Release::new),
                Combinators.combine(
                                small,
                                small,
                                account,
                                account,
                                Arbitraries.longs().between(1, 10))
                        .as(MoveHold::new),
                Combinators.combine(small, account, credits).as(Lock::new),
                Combinators.combine(small, account).as(Unlock::new),
                Arbitraries.integers().between(1, 6).map(Wait::new));
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 60)
    void shouldConserveCreditsWhateverHappens(@ForAll("steps") List<Step> steps) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        Map<String, ActorRef<Account.Command>> refs = new ConcurrentHashMap<>();
        Transfer.Accounts accounts = (id, command) -> AskPattern.ask(
                refs.computeIfAbsent(id, i -> KIT.spawn(Account.create(i, clock))),
                command::apply,
                Duration.ofSeconds(3),
                KIT.scheduler());
        Function<Integer, String> holder = i -> run + "-" + (i < HOLDERS.length ? HOLDERS[i] : "ghost");
        String treasury = run + "-treasury";
        ask(accounts, treasury, r -> new Account.Open("operator", Account.Kind.OPERATOR_TREASURY, 0, r));
        for (int i = 0; i < HOLDERS.length; i++) {
            long overdraft = i * 2 * CREDIT; // 0, 2 and 4 credits
            ask(accounts, holder.apply(i), r -> new Account.Open("owner", Account.Kind.AVATAR, overdraft, r));
        }
        List<String> all = new ArrayList<>(List.of(treasury));
        for (int i = 0; i < HOLDERS.length; i++) {
            all.add(holder.apply(i));
        }

        for (Step step : steps) {
            if (step instanceof Mint m) {
                ask(accounts, treasury, r -> new Account.Mint("m" + m.reference(), m.credits() * CREDIT, "test", r));
            } else if (step instanceof Burn b) {
                ask(accounts, treasury, r -> new Account.Burn("b" + b.reference(), b.credits() * CREDIT, "test", r));
            } else if (step instanceof Move mv) {
                // The treasury pays out as often as holders pay each other.
                String from = mv.from() == 3 ? treasury : holder.apply(mv.from());
                settle(
                        accounts,
                        clock,
                        run,
                        new Transfer.Start(from, holder.apply(mv.to()), mv.credits() * CREDIT, null));
            } else if (step instanceof MoveHold mh) {
                settle(
                        accounts,
                        clock,
                        run,
                        new Transfer.Start(
                                holder.apply(mh.from()),
                                holder.apply(mh.to()),
                                mh.credits() * CREDIT,
                                "h" + mh.hold(),
                                null));
            } else if (step instanceof Lock l) {
                ask(
                        accounts,
                        holder.apply(l.account()),
                        r -> new Account.LockDeposit("d" + l.id(), l.credits() * CREDIT, r));
            } else if (step instanceof Unlock u) {
                ask(accounts, holder.apply(u.account()), r -> new Account.UnlockDeposit("d" + u.id(), "test", r));
            } else if (step instanceof Hold h) {
                Instant expires = clock.instant().plus(Duration.ofMinutes(h.minutes()));
                ask(
                        accounts,
                        holder.apply(h.account()),
                        r -> new Account.PlaceHold("h" + h.id(), h.credits() * CREDIT, expires, "test", r));
            } else if (step instanceof Release rl) {
                ask(accounts, holder.apply(rl.account()), r -> new Account.Release("h" + rl.id(), "test", r));
            } else if (step instanceof Wait w) {
                clock.advance(Duration.ofMinutes(w.minutes()));
                for (String id : all) {
                    refs.get(id).tell(Account.ReleaseExpired.INSTANCE);
                }
            }
            checkInvariants(accounts, all);
        }
    }

    /** Runs {@code start} (its reply address replaced) on a fresh transfer and checks that it settles. */
    private static void settle(Transfer.Accounts accounts, MutableClock clock, String run, Transfer.Start start) {
        ActorRef<Transfer.Command> t = KIT.spawn(
                Transfer.create(run + "-t-" + UUID.randomUUID(), accounts, clock, Duration.ofMillis(200), self -> {}));
        StatusReply<Transfer.Summary> outcome = AskPattern.<Transfer.Command, StatusReply<Transfer.Summary>>ask(
                        t,
                        r -> new Transfer.Start(start.from(), start.to(), start.amount(), start.hold(), r),
                        Duration.ofSeconds(10),
                        KIT.scheduler())
                .toCompletableFuture()
                .join();
        assertTrue(
                outcome.isError()
                        || outcome.getValue().phase() == Transfer.Phase.POSTED
                        || outcome.getValue().phase() == Transfer.Phase.VOIDED,
                "settled: " + outcome);
        KIT.stop(t);
    }

    /** The ledger check holds: free + held + deposited = minted − burned, nothing below its overdraft. */
    private static void checkInvariants(Transfer.Accounts accounts, List<String> all) {
        List<Account.Summary> summaries = new ArrayList<>();
        for (String id : all) {
            Account.Summary s = ask(accounts, id, Account.Get::new).getValue();
            assertTrue(s.held() >= 0 && s.available() >= 0, id + ": " + s);
            summaries.add(s);
        }
        LedgerCheck check = LedgerCheck.of(summaries);
        assertTrue(check.exact(), "credits created or lost, or limits broken: " + check);
    }

    /** Asks, whatever the answer (refusals are part of the game); fails only if there is none. */
    private static StatusReply<Account.Summary> ask(
            Transfer.Accounts accounts,
            String id,
            Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command) {
        return accounts.account(id, command).toCompletableFuture().join();
    }
}

package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.testkit.LocalBank;

/**
 * Attention batches settled into credits on real Account and Transfer entities (in-memory journal): owners are
 * paid by the rate, rounded down, their accounts opened on the way; settling the same batch again pays nothing
 * twice; an owner that cannot be paid is reported and the credits stay in the treasury, conserved.
 */
class AttentionSettlementTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "attention-settlement-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final LocalBank bank = new LocalBank(KIT, clock, "unused");

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private Account.Summary get(String id) {
        return bank.get(id);
    }

    @Test
    void shouldPayOwnersByTheRateOnceWhateverTheRetries() {
        String treasury = run + "-treasury";
        AttentionSettlement settlement = new AttentionSettlement(bank, treasury, 1_000); // 0.001 credit a second
        String ada = run + "-ada";
        String bob = run + "-bob";
        String cyd = run + "-cyd";
        Map<String, Long> batch = Map.of(ada, 2_500_000L, bob, 999L, cyd, 1_000_000L); // 2.5 s, ~0 s, 1 s

        AttentionSettlement.Outcome first =
                settlement.settle("lobby:0:0@1000", batch).toCompletableFuture().join();
        assertTrue(first.complete(), first.toString());
        assertEquals(3_500, first.minted());
        assertEquals(Map.of(ada, 2_500L, cyd, 1_000L), first.paid(), "bob's 999 µs earn less than a micro-credit");
        assertEquals(2_500, get(ada).balance());
        assertEquals(Account.Kind.AVATAR, get(ada).kind(), "opened on the way");
        assertEquals(0, get(treasury).balance(), "all that was minted was paid");

        AttentionSettlement.Outcome again =
                settlement.settle("lobby:0:0@1000", batch).toCompletableFuture().join();
        assertEquals(first, again, "a retried batch pays nothing twice");
        assertEquals(2_500, get(ada).balance());
        assertEquals(3_500, get(treasury).minted());

        // An owner whose account is closed cannot be paid: reported, its share stays in the treasury.
        String dee = run + "-dee";
        bank.account(dee, r -> new Account.Open("dee", Account.Kind.AVATAR, 0, r))
                .toCompletableFuture()
                .join();
        bank.account(dee, Account.Close::new).toCompletableFuture().join();
        AttentionSettlement.Outcome partial = settlement
                .settle("lobby:0:0@2000", Map.of(ada, 1_000_000L, dee, 3_000_000L))
                .toCompletableFuture()
                .join();
        assertEquals(Map.of(ada, 1_000L), partial.paid());
        assertTrue(partial.problems().get(dee).startsWith("voided: account-closed"), partial.toString());
        assertEquals(3_000, get(treasury).balance(), "dee's share stayed in the treasury");

        List<Account.Summary> all = new ArrayList<>();
        for (String id : List.of(treasury, ada, bob, cyd, dee)) {
            if (bank.account(id, Account.Get::new).toCompletableFuture().join().isSuccess()) {
                all.add(get(id));
            }
        }
        assertTrue(LedgerCheck.of(all).ok(), LedgerCheck.of(all).toString());
    }

    @Test
    void shouldRefuseANonPositiveRateAndNegativeAttention() {
        assertThrows(IllegalArgumentException.class, () -> new AttentionSettlement(bank, "t", 0));
        AttentionSettlement settlement = new AttentionSettlement(bank, "t", 1_000);
        assertThrows(IllegalArgumentException.class, () -> settlement.credits(-1));
        assertThrows(ArithmeticException.class, () -> settlement.credits(Long.MAX_VALUE / 10));
        assertEquals(0, settlement.credits(999));
        assertEquals(1, settlement.credits(1_000));
    }
}

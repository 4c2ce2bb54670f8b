package org.worldserver.timebank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ledger's invariants over account summaries, with transfers caught between their credit and their capture. */
class LedgerCheckTest {

    private static Account.Summary account(
            String id, long free, long overdraft, Map<String, Account.Hold> holds, long deposited, long minted) {
        long held = holds.values().stream().mapToLong(Account.Hold::amount).sum();
        long balance = free + held + deposited;
        return new Account.Summary(
                id,
                "owner",
                Account.Kind.AVATAR,
                Account.Status.OPEN,
                balance,
                free,
                held,
                deposited,
                free + overdraft,
                overdraft,
                minted,
                0,
                holds,
                Map.of(),
                1,
                "hash");
    }

    @Test
    void shouldBeExactAtRestAndAllowOnlyWhatTransfersHoldWhileInFlight() {
        Account.Summary treasury = account("treasury", 60, 0, Map.of(), 0, 100);
        Account.Summary ada = account("ada", 20, 0, Map.of(), 20, 0);
        LedgerCheck atRest = LedgerCheck.of(List.of(treasury, ada));
        assertTrue(atRest.exact(), atRest.toString());
        assertEquals(100, atRest.balances());

        // A transfer of 10 from ada to bob: bob credited, ada's hold (the transfer's) not yet captured.
        Account.Hold transferHold = new Account.Hold(10, null, "transfer to bob", "transfer:t1");
        Account.Summary adaHolding = account("ada", 10, 0, Map.of("transfer:t1", transferHold), 20, 0);
        Account.Summary bob = account("bob", 10, 0, Map.of(), 0, 0);
        LedgerCheck inFlight = LedgerCheck.of(List.of(treasury, adaHolding, bob));
        assertTrue(inFlight.ok(), inFlight.toString());
        assertFalse(inFlight.exact(), "counted twice for the moment");
        assertEquals(10, inFlight.inFlight());

        // The same excess held by a client's escrow hold (no owner) is not a transfer in flight: a leak.
        Account.Hold escrow = new Account.Hold(10, java.time.Instant.EPOCH, "escrow", null);
        LedgerCheck leak = LedgerCheck.of(List.of(treasury, account("ada", 10, 0, Map.of("e1", escrow), 20, 0), bob));
        assertFalse(leak.ok(), leak.toString());
        LedgerCheck lost = LedgerCheck.of(List.of(treasury, account("ada", 19, 0, Map.of(), 20, 0)));
        assertFalse(lost.ok(), "one micro-credit missing: " + lost);

        LedgerCheck overdrawn = LedgerCheck.of(List.of(account("eve", -6, 5, Map.of(), 0, 0)));
        assertTrue(
                overdrawn.problems().stream().anyMatch(p -> p.contains("below its overdraft")), overdrawn.toString());
    }
}

package org.worldserver.timebank;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole ledger's invariants over every account's summary (for {@code GET /ledger/check}). Pure.
 *
 * <ul>
 *   <li>Conservation: {@code free + held + deposited = minted − burned}, summed over all accounts (an account's
 *       balance is its free, held and deposited credits together). A transfer between its credit and its capture
 *       counts its amount on both sides for that moment; such amounts are always in a hold owned by a transfer
 *       ({@code inFlight}), so the check allows {@code 0 ≤ balances − (minted − burned) ≤ inFlight}, and is exact
 *       ({@link #exact()}) whenever no transfer is under way.
 *   <li>Limits: no account's free credits are below minus its overdraft limit (it never spent more than it may),
 *       and none holds or deposits credits it does not have.
 * </ul>
 *
 * @param free sum of the accounts' free credits, micro-credits; {@code held}, {@code deposited}, {@code minted},
 *     {@code burned} likewise; {@code balances} = free + held + deposited
 * @param inFlight the part of {@code held} in holds owned by a transfer (between hold and capture)
 * @param problems what is wrong, one line each; empty when the ledger holds
 */
public record LedgerCheck(
        int accounts,
        long free,
        long held,
        long deposited,
        long balances,
        long inFlight,
        long minted,
        long burned,
        boolean conserved,
        List<String> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }

    /** Conserved to the micro-credit with nothing in flight: what a ledger at rest must show. */
    public boolean exact() {
        return ok() && balances == minted - burned;
    }

    public static LedgerCheck of(List<Account.Summary> accounts) {
        long free = 0;
        long held = 0;
        long deposited = 0;
        long inFlight = 0;
        long minted = 0;
        long burned = 0;
        List<String> problems = new ArrayList<>();
        for (Account.Summary a : accounts) {
            free += a.free();
            held += a.held();
            deposited += a.deposited();
            minted += a.minted();
            burned += a.burned();
            for (Account.Hold h : a.holds().values()) {
                if (h.owner() != null) {
                    inFlight += h.amount();
                }
            }
            if (a.free() < -a.overdraftLimit()) {
                problems.add(a.id() + ": free " + a.free() + " is below its overdraft limit −" + a.overdraftLimit());
            }
            if (a.held() < 0 || a.deposited() < 0) {
                problems.add(a.id() + ": holds " + a.held() + " and deposits " + a.deposited() + " cannot be negative");
            }
        }
        long balances = free + held + deposited;
        long excess = balances - (minted - burned);
        boolean conserved = excess >= 0 && excess <= inFlight;
        if (!conserved) {
            problems.add("free + held + deposited " + balances + " differs from minted − burned " + (minted - burned)
                    + " by " + excess + ", beyond the " + inFlight + " in flight");
        }
        return new LedgerCheck(
                accounts.size(),
                free,
                held,
                deposited,
                balances,
                inFlight,
                minted,
                burned,
                conserved,
                List.copyOf(problems));
    }
}

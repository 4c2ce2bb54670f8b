package org.worldserver.timebank;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole ledger's invariants over every account's summary (for {@code GET /ledger/check}). Pure.
 *
 * <ul>
 *   <li>Conservation: {@code free + held + deposited = minted − burned}, summed over all accounts (an account's
 *       balance is its free, held and deposited credits together).
 *   <li>Limits: no account's free credits are below minus its overdraft limit (it never spent more than it may),
 *       and none holds or deposits credits it does not have.
 * </ul>
 *
 * @param free sum of the accounts' free credits, micro-credits; {@code held}, {@code deposited}, {@code minted},
 *     {@code burned} likewise; {@code balances} = free + held + deposited
 * @param problems what is wrong, one line each; empty when the ledger holds
 */
public record LedgerCheck(
        int accounts,
        long free,
        long held,
        long deposited,
        long balances,
        long minted,
        long burned,
        boolean conserved,
        List<String> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }

    public static LedgerCheck of(List<Account.Summary> accounts) {
        long free = 0;
        long held = 0;
        long deposited = 0;
        long minted = 0;
        long burned = 0;
        List<String> problems = new ArrayList<>();
        for (Account.Summary a : accounts) {
            free += a.free();
            held += a.held();
            deposited += a.deposited();
            minted += a.minted();
            burned += a.burned();
            if (a.free() + a.held() + a.deposited() != a.balance()) {
                problems.add(a.id() + ": free + held + deposited differs from its balance " + a.balance());
            }
            if (a.free() < -a.overdraftLimit()) {
                problems.add(a.id() + ": free " + a.free() + " is below its overdraft limit −" + a.overdraftLimit());
            }
            if (a.held() < 0 || a.deposited() < 0) {
                problems.add(a.id() + ": holds " + a.held() + " and deposits " + a.deposited() + " cannot be negative");
            }
        }
        long balances = free + held + deposited;
        boolean conserved = balances == minted - burned;
        if (!conserved) {
            problems.add("free + held + deposited " + balances + " differs from minted − burned " + (minted - burned));
        }
        return new LedgerCheck(
                accounts.size(), free, held, deposited, balances, minted, burned, conserved, List.copyOf(problems));
    }
}

package org.worldserver.timebank;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole ledger's invariants over every account's summary (for {@code GET /ledger/check}): money is conserved
 * (the sum of balances equals minted − burned; held credits are still in their balances) and no account is below
 * its overdraft limit or holds more than it may spend. Pure.
 *
 * @param balances sum of all balances, micro-credits; {@code held}, {@code minted}, {@code burned} likewise
 * @param problems what is wrong, one line each; empty when the ledger holds
 */
public record LedgerCheck(
        int accounts, long balances, long held, long minted, long burned, boolean conserved, List<String> problems) {

    public boolean ok() {
        return problems.isEmpty();
    }

    public static LedgerCheck of(List<Account.Summary> accounts) {
        long balances = 0;
        long held = 0;
        long minted = 0;
        long burned = 0;
        List<String> problems = new ArrayList<>();
        for (Account.Summary a : accounts) {
            balances += a.balance();
            held += a.held();
            minted += a.minted();
            burned += a.burned();
            if (a.balance() < -a.overdraftLimit()) {
                problems.add(
                        a.id() + ": balance " + a.balance() + " is below its overdraft limit " + a.overdraftLimit());
            }
            if (a.held() > a.balance() + a.overdraftLimit()) {
                problems.add(a.id() + ": holds " + a.held() + ", more than it may spend");
            }
        }
        boolean conserved = balances == minted - burned;
        if (!conserved) {
            problems.add("balances " + balances + " differ from minted − burned " + (minted - burned));
        }
        return new LedgerCheck(accounts.size(), balances, held, minted, burned, conserved, List.copyOf(problems));
    }
}

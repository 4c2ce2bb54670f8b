package org.worldserver.timebank;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An account's history with running balances, from its events in journal order (for {@code GET
 * /accounts/{id}/statement}): one line per event, with what it did to the balance, the held and the deposited
 * amounts, and its place in the hash chain. Pure; the same rules as the account itself.
 */
public final class Statement {

    /**
     * One event of the statement.
     *
     * @param change what the event did to the balance, micro-credits (negative for money out)
     * @param balance the balance after it (free + held + deposited); {@code held} and {@code deposited} likewise
     * @param reference the transfer, hold, deposit, mint or burn the event belongs to (null for status changes)
     */
    public record Line(
            long sequence,
            Instant at,
            String event,
            String reference,
            long change,
            long balance,
            long held,
            long deposited,
            String hash) {}

    private Statement() {}

    public static List<Line> of(List<? extends Account.Event> events) {
        List<Line> lines = new ArrayList<>(events.size());
        long balance = 0;
        long held = 0;
        long deposited = 0;
        for (Account.Event e : events) {
            long change = 0;
            String reference = null;
            if (e instanceof Account.Credited c) {
                change = c.amount();
                reference = c.transferId();
            } else if (e instanceof Account.Minted m) {
                change = m.amount();
                reference = m.reference();
            } else if (e instanceof Account.Burned b) {
                change = -b.amount();
                reference = b.reference();
            } else if (e instanceof Account.HoldPlaced h) {
                held += h.amount();
                reference = h.holdId();
            } else if (e instanceof Account.HoldCaptured h) {
                held -= h.amount();
                change = -h.amount();
                reference = h.holdId();
            } else if (e instanceof Account.HoldReleased h) {
                held -= h.amount();
                reference = h.holdId();
            } else if (e instanceof Account.HoldPinned h) {
                reference = h.holdId();
            } else if (e instanceof Account.DepositLocked d) {
                deposited += d.amount();
                reference = d.depositId();
            } else if (e instanceof Account.DepositUnlocked d) {
                deposited -= d.amount();
                reference = d.depositId();
            }
            balance += change;
            lines.add(new Line(
                    e.link().sequence(),
                    e.at(),
                    e.getClass().getSimpleName(),
                    reference,
                    change,
                    balance,
                    held,
                    deposited,
                    e.link().hash()));
        }
        return lines;
    }
}

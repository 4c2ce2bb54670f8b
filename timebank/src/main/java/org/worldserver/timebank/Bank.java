package org.worldserver.timebank;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * How the bank's coordinators and services reach accounts and transfers by id: Cluster Sharding on a node ({@link
 * TimeBank}), plain actors in tests. Every method is asynchronous and may fail when the entity does not answer in
 * time; every command it carries is idempotent, so callers simply ask again.
 */
public interface Bank extends Transfer.Accounts {

    /** Asks transfer {@code id}; a Start is answered once the transfer has settled. */
    CompletionStage<StatusReply<Transfer.Summary>> transfer(
            String id, Function<ActorRef<StatusReply<Transfer.Summary>>, Transfer.Command> command);

    /**
     * Mints {@code amount} in the operator treasury {@code treasury} once per {@code reference}, opening the treasury
     * first if it has never been opened (with no overdraft; an existing treasury is used as it is).
     */
    default CompletionStage<StatusReply<Account.Summary>> mintInTreasury(
            String treasury, String reference, long amount, String reason) {
        return openTreasury(treasury)
                .thenCompose(opened -> account(treasury, r -> new Account.Mint(reference, amount, reason, r)));
    }

    /**
     * Opens the operator treasury {@code treasury} if it has never been opened (with no overdraft); an existing
     * account is left as it is, and the answer (refused for an existing one) can be ignored.
     */
    default CompletionStage<StatusReply<Account.Summary>> openTreasury(String treasury) {
        return account(treasury, r -> new Account.Open("operator", Account.Kind.OPERATOR_TREASURY, 0, r));
    }
}

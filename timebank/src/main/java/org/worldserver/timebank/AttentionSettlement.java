package org.worldserver.timebank;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;

/**
 * Turns a settled batch of attention (the world's {@code AttentionBatch}: owner → attention-microseconds received
 * in one cell over one period) into credits for the owners, exactly once per batch id however often it is settled:
 *
 * <ol>
 *   <li>each owner's credits: {@code attentionMicros × microCreditsPerAttentionSecond / 1,000,000}, rounded down
 *       (integer arithmetic; the fraction of a micro-credit is not paid);
 *   <li>the treasury mints their sum, reference {@code attention:<batchId>};
 *   <li>each owner's account is opened if it is not (kind AVATAR, no overdraft), and a transfer {@code
 *       attention:<batchId>:<owner>} pays it from the treasury.
 * </ol>
 *
 * Every step is idempotent (the mint by reference, the openings by their terms, the transfers by id), so settling
 * a batch again, after a crash half-way or not, pays nothing twice and finishes what was left.
 */
public final class AttentionSettlement {

    /**
     * What a settlement did.
     *
     * @param paid owner → micro-credits, for owners whose transfer posted (this time or before)
     * @param problems owner → why its payment did not post (the batch may be settled again)
     */
    public record Outcome(String batchId, long minted, Map<String, Long> paid, Map<String, String> problems) {
        public boolean complete() {
            return problems.isEmpty();
        }
    }

    private final Bank bank;
    private final String treasury;
    private final long microCreditsPerAttentionSecond;

    /**
     * @param microCreditsPerAttentionSecond the price of one second of full attention, micro-credits (positive)
     */
    public AttentionSettlement(Bank bank, String treasury, long microCreditsPerAttentionSecond) {
        if (microCreditsPerAttentionSecond <= 0) {
            throw new IllegalArgumentException("the rate must be positive, was " + microCreditsPerAttentionSecond);
        }
        this.bank = bank;
        this.treasury = treasury;
        this.microCreditsPerAttentionSecond = microCreditsPerAttentionSecond;
    }

    /**
     * Micro-credits for {@code attentionMicros} of attention, rounded down.
     *
     * @throws ArithmeticException if the product overflows (attention far beyond any batch's)
     */
    public long credits(long attentionMicros) {
        if (attentionMicros < 0) {
            throw new IllegalArgumentException("attention cannot be negative: " + attentionMicros);
        }
        return Math.multiplyExact(attentionMicros, microCreditsPerAttentionSecond) / 1_000_000L;
    }

    /** Settles {@code batchId}: see the class comment. Completes once every payment has settled, with the outcome. */
    public CompletionStage<Outcome> settle(String batchId, Map<String, Long> attentionMicros) {
        Map<String, Long> owed = new TreeMap<>();
        attentionMicros.forEach((owner, micros) -> {
            long c = credits(micros);
            if (c > 0) {
                owed.put(owner, c);
            }
        });
        long total = owed.values().stream().mapToLong(Long::longValue).reduce(0, Math::addExact);
        String reference = "attention:" + batchId;
        CompletionStage<StatusReply<Account.Summary>> minted = total == 0
                ? CompletableFuture.completedFuture(null)
                : bank.mintInTreasury(treasury, reference, total, "attention");
        return minted.thenCompose(mint -> {
            if (mint != null && mint.isError()) {
                Map<String, String> problems = new TreeMap<>();
                owed.keySet()
                        .forEach(owner -> problems.put(owner, mint.getError().getMessage()));
                return CompletableFuture.completedFuture(new Outcome(batchId, 0, Map.of(), problems));
            }
            List<CompletableFuture<Map.Entry<String, String>>> payments = new ArrayList<>();
            owed.forEach((owner, amount) -> payments.add(pay(reference + ":" + owner, owner, amount)
                    .thenApply(problem -> Map.entry(owner, problem == null ? "" : problem))
                    .toCompletableFuture()));
            return CompletableFuture.allOf(payments.toArray(CompletableFuture[]::new))
                    .thenApply(done -> {
                        Map<String, Long> paid = new TreeMap<>();
                        Map<String, String> problems = new TreeMap<>();
                        for (CompletableFuture<Map.Entry<String, String>> p : payments) {
                            Map.Entry<String, String> e = p.join();
                            if (e.getValue().isEmpty()) {
                                paid.put(e.getKey(), owed.get(e.getKey()));
                            } else {
                                problems.put(e.getKey(), e.getValue());
                            }
                        }
                        return new Outcome(batchId, total, paid, problems);
                    });
        });
    }

    /** Opens the owner's account if needed and pays it; completes with null when posted, else why not. */
    private CompletionStage<String> pay(String transferId, String owner, long amount) {
        return bank.account(owner, r -> new Account.Open(owner, Account.Kind.AVATAR, 0, r))
                .thenCompose(opened -> bank.transfer(transferId, r -> new Transfer.Start(treasury, owner, amount, r)))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        return "no answer: " + failure.getMessage();
                    }
                    if (reply.isError()) {
                        return reply.getError().getMessage();
                    }
                    return reply.getValue().phase() == Transfer.Phase.POSTED
                            ? null
                            : "voided: " + reply.getValue().reason();
                });
    }
}

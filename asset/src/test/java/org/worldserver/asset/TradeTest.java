package org.worldserver.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.worldserver.timebank.testkit.LocalBank.ok;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.MutableClock;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.Bank;
import org.worldserver.timebank.Transfer;
import org.worldserver.timebank.testkit.LocalBank;

/**
 * Trades on real Asset, Account, Transfer and Trade entities (in-memory journal): a purchase pays the seller and
 * moves the asset exactly once; buyers racing for one listing get it exactly once and the others' holds are
 * released; every failure (no credits, own asset, not listed, a seller that cannot be paid) leaves credits and the
 * asset where they were; a saga lost between payment and ownership is finished by its successor.
 */
class TradeTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "trade-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final long CREDIT = Account.MICROS_PER_CREDIT;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String treasury = run + "-treasury";
    private final LocalBank bank = new LocalBank(KIT, clock, treasury);
    /** The operator's fee on the trades a test makes. */
    private OperatorFee fee = OperatorFee.none(treasury);

    private final Map<String, ActorRef<Asset.Command>> assetRefs = new ConcurrentHashMap<>();
    private final Trade.Assets assets = (id, command) -> AskPattern.ask(
            assetRefs.computeIfAbsent(id, i -> KIT.spawn(Asset.create(i, clock))),
            command::apply,
            LocalBank.ASK,
            KIT.scheduler());

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private String funded(String name, long credits) {
        return bank.funded(run + "-" + name, credits, 0);
    }

    /** An item owned by {@code seller}, listed at {@code credits}. */
    private String listed(String name, String seller, long credits) {
        String id = run + "-" + name;
        ok(assets.asset(id, r -> new Asset.Mint(AssetTest.item(seller), null, r)));
        ok(assets.asset(id, r -> new Asset.ListForSale(credits * CREDIT, seller, r)));
        return id;
    }

    private ActorRef<Trade.Command> trade(String id, Trade.Assets through) {
        return trade(id, bank, through);
    }

    private ActorRef<Trade.Command> trade(String id, Bank paying, Trade.Assets through) {
        return KIT.spawn(Trade.create(
                run + "-" + id, paying, through, clock, LocalBank.RETRY, Duration.ofMinutes(10), fee, self -> {}));
    }

    private CompletionStage<StatusReply<Trade.Summary>> buy(
            ActorRef<Trade.Command> trade, String asset, String buyer, long credits) {
        return AskPattern.ask(
                trade, r -> new Trade.Buy(asset, buyer, credits * CREDIT, r), LocalBank.ASK, KIT.scheduler());
    }

    private Trade.Summary bought(String trade, String asset, String buyer, long credits) {
        return ok(buy(trade(trade, assets), asset, buyer, credits));
    }

    private Asset.Summary asset(String id) {
        return ok(assets.asset(id, Asset.Get::new));
    }

    @Test
    void shouldPayTheSellerAndMoveTheAssetExactlyOnce() {
        String ada = funded("ada", 0);
        String bob = funded("bob", 20);
        String sword = listed("sword", ada, 12);
        Trade.Summary done = bought("t1", sword, bob, 12);
        assertEquals(Trade.Phase.COMPLETED, done.phase(), done.toString());
        assertEquals(ada, done.seller());
        assertEquals(bob, asset(sword).owner());
        assertEquals("trade:" + run + "-t1", asset(sword).provenance().get(1).how());
        assertEquals(12 * CREDIT, bank.get(ada).balance());
        assertEquals(8 * CREDIT, bank.get(bob).balance());
        assertEquals(0, bank.get(bob).held());

        assertEquals(done, bought("t1", sword, bob, 12), "a repeat gets the outcome and moves nothing");
        assertEquals(12 * CREDIT, bank.get(ada).balance());
        StatusReply<Trade.Summary> reused =
                buy(trade("t1", assets), sword, bob, 11).toCompletableFuture().join();
        assertTrue(
                reused.getError().getMessage().startsWith("id-reused: "),
                reused.getError().getMessage());
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldPayTheOperatorFeeOutOfThePriceIntoTheTreasury() {
        fee = new OperatorFee(treasury, 250); // 2.5 %
        String ada = funded("ada", 0);
        String bob = funded("bob", 20);
        long treasuryBefore = bank.get(treasury).balance();
        Trade.Summary done = bought("t-fee", listed("sword", ada, 12), bob, 12);
        assertEquals(Trade.Phase.COMPLETED, done.phase(), done.toString());
        assertEquals(300_000, done.fee(), "2.5 % of 12 credits");
        assertEquals(null, done.reason());
        assertEquals(12 * CREDIT - 300_000, bank.get(ada).balance(), "the seller gets the price less the fee");
        assertEquals(8 * CREDIT, bank.get(bob).balance(), "the buyer pays the price");
        assertEquals(0, bank.get(bob).held());
        assertEquals(treasuryBefore + 300_000, bank.get(treasury).balance());
        assertEquals(bob, asset(run + "-sword").owner());
        bank.assertAtRest(ada, bob);

        // 1 micro-credit: a fee of 2.5 % rounds down to nothing, and no fee hold is placed.
        String pin = run + "-pin";
        ok(assets.asset(pin, r -> new Asset.Mint(AssetTest.item(ada), null, r)));
        ok(assets.asset(pin, r -> new Asset.ListForSale(1, ada, r)));
        Trade.Summary tiny = ok(AskPattern.ask(
                trade("t-tiny", assets), r -> new Trade.Buy(pin, bob, 1, r), LocalBank.ASK, KIT.scheduler()));
        assertEquals(Trade.Phase.COMPLETED, tiny.phase(), tiny.toString());
        assertEquals(0, tiny.fee());
        assertEquals(12 * CREDIT - 300_000 + 1, bank.get(ada).balance());
        assertEquals(treasuryBefore + 300_000, bank.get(treasury).balance());
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldReleaseTheSellersPartWhenTheBuyerCannotAlsoHoldTheFee() {
        fee = new OperatorFee(treasury, 1_000); // 10 %
        String ada = funded("ada", 0);
        String bob = funded("bob", 9); // 9 credits: enough for the seller's part of 10 (9), not for the fee too
        Trade.Summary poor = bought("t-poor", listed("sword", ada, 10), bob, 10);
        assertEquals(Trade.Phase.VOIDED, poor.phase(), poor.toString());
        assertTrue(poor.reason().startsWith("insufficient-funds"), poor.reason());
        assertEquals(0, bank.get(bob).held(), "the seller's part was released again");
        assertEquals(9 * CREDIT, bank.get(bob).available());
        assertEquals(Asset.Status.LISTED, asset(run + "-sword").status());
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldWaiveTheFeeAndKeepTheSaleWhenTheTreasuryRefusesIt() {
        String closed = run + "-closed-treasury";
        ok(bank.account(closed, r -> new Account.Open("operator", Account.Kind.OPERATOR_TREASURY, 0, r)));
        ok(bank.account(closed, Account.Close::new));
        fee = new OperatorFee(closed, 500); // 5 %
        String ada = funded("ada", 0);
        String bob = funded("bob", 10);
        Trade.Summary done = bought("t-waived", listed("sword", ada, 10), bob, 10);
        assertEquals(Trade.Phase.COMPLETED, done.phase(), done.toString());
        assertTrue(done.reason().startsWith("fee-waived: account-closed"), done.reason());
        assertEquals(bob, asset(run + "-sword").owner());
        assertEquals(10 * CREDIT - 500_000, bank.get(ada).balance(), "the seller's part only");
        assertEquals(500_000, bank.get(bob).balance(), "the buyer keeps the waived fee");
        assertEquals(0, bank.get(bob).held());
        assertEquals(0, bank.get(closed).balance());
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldSellToExactlyOneOfManyRacingBuyers() {
        String ada = funded("ada", 0);
        String sword = listed("sword", ada, 10);
        List<String> buyers = new ArrayList<>();
        List<CompletableFuture<StatusReply<Trade.Summary>>> racing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String buyer = funded("buyer" + i, 15);
            buyers.add(buyer);
            racing.add(buy(trade("race-" + i, assets), sword, buyer, 10).toCompletableFuture());
        }
        List<Trade.Summary> outcomes =
                racing.stream().map(f -> f.join().getValue()).toList();
        List<Trade.Summary> completed = outcomes.stream()
                .filter(t -> t.phase() == Trade.Phase.COMPLETED)
                .toList();
        assertEquals(1, completed.size(), outcomes.toString());
        String winner = completed.get(0).buyer();
        assertEquals(winner, asset(sword).owner());
        for (Trade.Summary lost : outcomes) {
            if (lost != completed.get(0)) {
                assertEquals(Trade.Phase.VOIDED, lost.phase());
                assertTrue(
                        lost.reason().startsWith("asset-locked")
                                || lost.reason().startsWith("asset-not-listed"),
                        lost.reason());
            }
        }
        for (String buyer : buyers) {
            Account.Summary a = bank.get(buyer);
            assertEquals(0, a.held(), "every losing hold released");
            assertEquals(buyer.equals(winner) ? 5 * CREDIT : 15 * CREDIT, a.balance());
        }
        assertEquals(10 * CREDIT, bank.get(ada).balance());
        List<String> everyone = new ArrayList<>(buyers);
        everyone.add(ada);
        bank.assertAtRest(everyone.toArray(String[]::new));
    }

    @Test
    void shouldLeaveCreditsAndAssetWhereTheyWereWhenATradeFails() {
        fee = new OperatorFee(treasury, 250); // every failure must release the fee hold as well
        String ada = funded("ada", 0);
        String bob = funded("bob", 5);
        String sword = listed("sword", ada, 12);
        Trade.Summary poor = bought("t-poor", sword, bob, 12);
        assertEquals(Trade.Phase.VOIDED, poor.phase());
        assertTrue(poor.reason().startsWith("insufficient-funds"), poor.reason());
        assertEquals(Asset.Status.LISTED, asset(sword).status());

        Trade.Summary own = bought("t-own", listed("cap", bob, 2), bob, 2);
        assertTrue(own.reason().startsWith("asset-own"), own.reason());
        Trade.Summary cheap = bought("t-cheap", sword, bob, 4);
        assertTrue(cheap.reason().startsWith("asset-price-changed"), cheap.reason());
        String shield = run + "-shield";
        ok(assets.asset(shield, r -> new Asset.Mint(AssetTest.item(ada), null, r)));
        Trade.Summary unlisted = bought("t-unlisted", shield, bob, 1);
        assertTrue(unlisted.reason().startsWith("asset-not-listed"), unlisted.reason());
        Trade.Summary missing = bought("t-missing", run + "-nothing", bob, 1);
        assertTrue(missing.reason().startsWith("asset-unknown"), missing.reason());
        assertEquals(5 * CREDIT, bank.get(bob).available(), "every hold released");

        // The seller's account is closed: the payment is refused, the asset unlocked, the hold released.
        ok(bank.account(ada, Account.Close::new));
        Trade.Summary unpaid = bought("t-closed", listed("helm", ada, 3), bob, 3);
        assertEquals(Trade.Phase.VOIDED, unpaid.phase());
        assertTrue(unpaid.reason().startsWith("account-closed"), unpaid.reason());
        assertEquals(Asset.Status.LISTED, asset(run + "-helm").status());
        assertEquals(ada, asset(run + "-helm").owner());
        assertEquals(5 * CREDIT, bank.get(bob).available());
        assertEquals(0, bank.get(bob).held(), "the seller's part and the fee hold released");
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldFinishATradeLostBetweenPaymentAndOwnership() throws InterruptedException {
        fee = new OperatorFee(treasury, 1_000); // 10 %: paid before ownership moves, once
        String ada = funded("ada", 0);
        String bob = funded("bob", 10);
        String sword = listed("sword", ada, 10);
        // A saga whose ownership step never reaches the asset: it pays, then the node goes down.
        TestProbe<String> completes = KIT.createTestProbe();
        Trade.Assets dropsCompletes = (id, command) -> {
            TestProbe<StatusReply<Asset.Summary>> sink = KIT.createTestProbe();
            if (command.apply(sink.ref()) instanceof Asset.Complete) {
                completes.ref().tell(id);
                return new CompletableFuture<>();
            }
            return assets.asset(id, command);
        };
        long treasuryBefore = bank.get(treasury).balance();
        ActorRef<Trade.Command> first = trade("t-crash", dropsCompletes);
        buy(first, sword, bob, 10);
        completes.expectMessage(Duration.ofSeconds(10), sword);
        assertEquals(9 * CREDIT, bank.get(ada).balance(), "paid");
        assertEquals(ada, asset(sword).owner(), "not yet moved");
        KIT.stop(first);

        assertFinishedOnce(ok(buy(trade("t-crash", assets), sword, bob, 10)), sword, ada, bob, treasuryBefore);
    }

    /** A 10-credit sale with a 10 % fee, finished by a successor saga: everything moved exactly once. */
    private void assertFinishedOnce(Trade.Summary finished, String sword, String ada, String bob, long treasuryBefore) {
        assertEquals(Trade.Phase.COMPLETED, finished.phase(), finished.toString());
        assertEquals(null, finished.reason(), "not waived");
        assertEquals(bob, asset(sword).owner());
        assertEquals(9 * CREDIT, bank.get(ada).balance(), "the seller paid once");
        assertEquals(treasuryBefore + CREDIT, bank.get(treasury).balance(), "the fee paid once");
        assertEquals(0, bank.get(bob).balance());
        assertEquals(0, bank.get(bob).held());
        bank.assertAtRest(ada, bob);
    }

    @Test
    void shouldPayTheFeeOnceWhenATradeIsLostBetweenTheSellerAndTheFee() {
        fee = new OperatorFee(treasury, 1_000);
        String ada = funded("ada", 0);
        String bob = funded("bob", 10);
        String sword = listed("sword", ada, 10);
        // A saga whose fee transfer never gets going: the seller is paid, then the node goes down.
        TestProbe<String> feeAsked = KIT.createTestProbe();
        Bank dropsTheFee = new Bank() {
            @Override
            public CompletionStage<StatusReply<Account.Summary>> account(
                    String id, Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command) {
                return bank.account(id, command);
            }

            @Override
            public CompletionStage<StatusReply<Transfer.Summary>> transfer(
                    String id, Function<ActorRef<StatusReply<Transfer.Summary>>, Transfer.Command> command) {
                if (id.endsWith(":fee")) {
                    feeAsked.ref().tell(id);
                    return new CompletableFuture<>();
                }
                return bank.transfer(id, command);
            }
        };
        long treasuryBefore = bank.get(treasury).balance();
        ActorRef<Trade.Command> first = trade("t-fee-lost", dropsTheFee, assets);
        buy(first, sword, bob, 10);
        feeAsked.expectMessage(Duration.ofSeconds(10), Trade.feeHoldId(run + "-t-fee-lost"));
        assertEquals(9 * CREDIT, bank.get(ada).balance(), "the seller paid");
        assertEquals(CREDIT, bank.get(bob).held(), "the fee still held, pinned for its transfer");
        KIT.stop(first);
        clock.advance(Duration.ofHours(1)); // far beyond the holds' expiry: the pinned fee hold cannot expire

        assertFinishedOnce(ok(buy(trade("t-fee-lost", assets), sword, bob, 10)), sword, ada, bob, treasuryBefore);
    }

    @Test
    void shouldChargeTheTreasuryNoFeeWhenItBuys() {
        fee = new OperatorFee(treasury, 1_000);
        String ada = funded("ada", 0);
        ok(bank.mintInTreasury(treasury, run + "-spend", 10 * CREDIT, "test"));
        Trade.Summary bought = bought("t-treasury", listed("sword", ada, 10), treasury, 10);
        assertEquals(Trade.Phase.COMPLETED, bought.phase(), bought.toString());
        assertEquals(0, bought.fee());
        assertEquals(10 * CREDIT, bank.get(ada).balance(), "the whole price");
        bank.assertAtRest(ada);
    }
}

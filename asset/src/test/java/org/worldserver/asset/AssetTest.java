package org.worldserver.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.worldserver.asset.Asset.Command;
import org.worldserver.asset.Asset.Event;
import org.worldserver.asset.Asset.State;
import org.worldserver.asset.Asset.Summary;
import org.worldserver.asset.AssetSpec.Attribute;
import org.worldserver.asset.AssetSpec.Kind;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;
import org.worldserver.persistence.testkit.MutableClock;

/**
 * Asset entity logic on the in-memory journal (every command, event and state round-tripped through the
 * serializer): minting with well-formed specs only, moves by the owner only, listing, the trade lock, lending with
 * its automatic return, versions, burning, provenance, every refusal with its code and no event, the hash chain.
 */
class AssetTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "asset-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
    private static final String HASH = "a".repeat(64);

    private final MutableClock clock = new MutableClock(START);
    private EventSourcedBehaviorTestKit<Command, Event, State> asset;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void create() {
        asset = EventSourcedBehaviorTestKit.create(KIT.system(), Asset.create("sword-1", clock));
    }

    static AssetSpec item(String creator) {
        return new AssetSpec(
                Kind.ITEM,
                creator,
                "Sword of Dawn",
                Map.of(
                        "damage", new Attribute(Attribute.Type.NUMBER, "12.5"),
                        "rare", new Attribute(Attribute.Type.BOOL, "true"),
                        "forge", new Attribute(Attribute.Type.TEXT, "north")),
                Set.of("weapon", "fire"),
                null,
                null,
                null);
    }

    /** A mint of an item by ada with these attributes and tags. */
    private static Function<ActorRef<StatusReply<Summary>>, Command> mint(
            Map<String, Attribute> attributes, Set<String> tags) {
        return r -> new Asset.Mint(new AssetSpec(Kind.ITEM, "ada", "x", attributes, tags, null, null, null), null, r);
    }

    private CommandResultWithReply<Command, Event, State, StatusReply<Summary>> run(
            Function<ActorRef<StatusReply<Summary>>, Command> command) {
        return asset.runCommand(command::apply);
    }

    private Summary ok(Function<ActorRef<StatusReply<Summary>>, Command> command) {
        StatusReply<Summary> reply = run(command).reply();
        assertTrue(reply.isSuccess(), () -> "refused: " + reply.getError().getMessage());
        return reply.getValue();
    }

    private void refused(String code, Function<ActorRef<StatusReply<Summary>>, Command> command) {
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> result = run(command);
        assertTrue(result.reply().isError(), () -> "accepted, expected " + code);
        String message = result.reply().getError().getMessage();
        assertTrue(message.startsWith(code + ": "), message);
        assertTrue(result.hasNoEvents(), "a refusal changes nothing");
    }

    @Test
    void shouldMintOnlyWellFormedAssetsOnce() {
        refused("asset-unknown", Asset.Get::new);
        refused(
                "asset-invalid",
                r -> new Asset.Mint(new AssetSpec(null, "ada", "x", Map.of(), Set.of(), null, null, null), null, r));
        refused(
                "asset-invalid",
                r -> new Asset.Mint(
                        new AssetSpec(Kind.ITEM, "a:b", "x", Map.of(), Set.of(), null, null, null), null, r));
        refused("metadata-invalid", mint(Map.of("Damage", new Attribute(Attribute.Type.NUMBER, "1")), Set.of()));
        refused("metadata-invalid", mint(Map.of("damage", new Attribute(Attribute.Type.NUMBER, "a lot")), Set.of()));
        refused("metadata-invalid", mint(Map.of(), Set.of("Not A Tag")));
        refused(
                "asset-invalid",
                r -> new Asset.Mint(
                        new AssetSpec(Kind.MODEL, "ada", "x", Map.of(), Set.of(), null, null, "xyz"), null, r));
        refused(
                "asset-invalid",
                r -> new Asset.Mint(
                        new AssetSpec(
                                Kind.LAND_PARCEL,
                                "ada",
                                "x",
                                Map.of(),
                                Set.of(),
                                new AssetSpec.Parcel("lobby", 5, 5, 4, 9),
                                null,
                                null),
                        null,
                        r));

        Summary minted = ok(r -> new Asset.Mint(item("ada"), null, r));
        assertEquals("ada", minted.owner(), "the creator owns it unless told otherwise");
        assertEquals(Asset.Status.ACTIVE, minted.status());
        assertEquals(List.of(new Asset.Provenance("ada", 1, START, "mint")), minted.provenance());
        assertTrue(run(r -> new Asset.Mint(item("ada"), null, r)).hasNoEvents(), "the same mint again");
        refused("asset-exists", r -> new Asset.Mint(item("bob"), null, r));
    }

    @Test
    void shouldLetOnlyTheOwnerMoveListLendAndBurn() {
        ok(r -> new Asset.Mint(item("ada"), null, r));
        refused("asset-not-owner", r -> new Asset.Transfer("eve", "eve", r));
        refused("asset-not-owner", r -> new Asset.ListForSale(5, "bob", r));
        refused("asset-invalid", r -> new Asset.Transfer("ada", "ada", r));
        Summary moved = ok(r -> new Asset.Transfer("bob", "ada", r));
        assertEquals("bob", moved.owner());
        assertEquals("transfer", moved.provenance().get(1).how());
        refused("asset-not-owner", r -> new Asset.Transfer("cyd", "ada", r)); // ada no longer owns it

        refused("price-invalid", r -> new Asset.ListForSale(0, "bob", r));
        assertEquals(
                Asset.Status.LISTED, ok(r -> new Asset.ListForSale(7, "bob", r)).status());
        refused("asset-listed", r -> new Asset.Transfer("cyd", "bob", r));
        refused("asset-listed", r -> new Asset.Burn("bob", r));
        assertEquals(9, ok(r -> new Asset.ListForSale(9, "bob", r)).price(), "re-listed at a new price");
        assertEquals(Asset.Status.ACTIVE, ok(r -> new Asset.Delist("bob", r)).status());

        Instant until = START.plus(Duration.ofDays(3));
        refused("asset-invalid", r -> new Asset.Lend("cyd", START, "bob", r));
        refused("asset-invalid", r -> new Asset.Lend("cyd", START.plus(Duration.ofDays(400)), "bob", r));
        Summary lent = ok(r -> new Asset.Lend("cyd", until, "bob", r));
        assertEquals(Asset.Status.LENT, lent.status());
        assertEquals("bob", lent.owner(), "lending does not change the owner");
        refused("asset-lent", r -> new Asset.Transfer("cyd", "bob", r));
        refused("asset-lent", r -> new Asset.ListForSale(5, "bob", r));
        assertTrue(asset.runCommand(Asset.ReturnLent.INSTANCE).hasNoEvents(), "not yet due");
        clock.advance(Duration.ofDays(3));
        assertEquals(
                Asset.Returned.class,
                asset.runCommand(Asset.ReturnLent.INSTANCE).event().getClass());
        assertEquals(Asset.Status.ACTIVE, ok(Asset.Get::new).status());

        refused("asset-kind-mismatch", r -> new Asset.AddVersion(HASH, "bob", r));
        assertEquals(Asset.Status.BURNED, ok(r -> new Asset.Burn("bob", r)).status());
        refused("asset-burned", r -> new Asset.Transfer("cyd", "bob", r));
        refused("asset-burned", r -> new Asset.ListForSale(5, "bob", r));
    }

    @Test
    void shouldLockForOneTradeAndMoveToItsBuyerOnce() {
        ok(r -> new Asset.Mint(item("ada"), null, r));
        refused("asset-not-listed", r -> new Asset.Lock("t1", "bob", 5, r));
        ok(r -> new Asset.ListForSale(5, "ada", r));
        refused("asset-own", r -> new Asset.Lock("t0", "ada", 5, r));
        refused("asset-price-changed", r -> new Asset.Lock("t1", "bob", 4, r));
        Summary locked = ok(r -> new Asset.Lock("t1", "bob", 5, r));
        assertEquals(new Asset.TradeLock("t1", "bob", 5), locked.lock());
        assertTrue(run(r -> new Asset.Lock("t1", "bob", 5, r)).hasNoEvents(), "the same lock again");
        refused("asset-locked", r -> new Asset.Lock("t2", "cyd", 5, r));
        refused("asset-locked", r -> new Asset.Delist("ada", r));
        refused("asset-not-locked", r -> new Asset.Complete("t2", r));

        Summary sold = ok(r -> new Asset.Complete("t1", r));
        assertEquals("bob", sold.owner());
        assertEquals(Asset.Status.ACTIVE, sold.status());
        assertNull(sold.lock());
        assertEquals("trade:t1", sold.provenance().get(1).how());
        assertTrue(run(r -> new Asset.Complete("t1", r)).hasNoEvents(), "completed once");
        refused("asset-not-locked", r -> new Asset.Unlock("t1", "too late", r));

        // A trade that gives up unlocks; the listing stands for the next buyer.
        ok(r -> new Asset.ListForSale(8, "bob", r));
        ok(r -> new Asset.Lock("t3", "cyd", 8, r));
        assertEquals(
                Asset.Status.LISTED,
                ok(r -> new Asset.Unlock("t3", "payment voided", r)).status());
        assertTrue(run(r -> new Asset.Unlock("t3", "again", r)).hasNoEvents());
    }

    @Test
    void shouldKeepVersionsAndChainEveryEventAcrossARestart() {
        AssetSpec model = new AssetSpec(Kind.MODEL, "ada", "Tower", Map.of(), Set.of("building"), null, null, HASH);
        ok(r -> new Asset.Mint(model, "bob", r));
        refused("asset-invalid", r -> new Asset.AddVersion("nope", "ada", r));
        refused("asset-not-owner", r -> new Asset.AddVersion("b".repeat(64), "eve", r));
        assertEquals(
                List.of(HASH, "b".repeat(64)),
                ok(r -> new Asset.AddVersion("b".repeat(64), "ada", r)).versions(),
                "the creator may add versions");
        ok(r -> new Asset.Transfer("cyd", "bob", r));
        Summary before = ok(Asset.Get::new);

        List<Chained<?>> events = asset.persistenceTestKit().persistedInStorage("Asset|sword-1").stream()
                .<Chained<?>>map(e -> (Chained<?>) e)
                .toList();
        assertEquals(HashChain.Verdict.intact(3), HashChain.verify(events));
        assertEquals(before.lastHash(), events.get(2).link().hash());
        asset.restart();
        assertEquals(before, ok(Asset.Get::new), "recovered from its events");
        assertEquals(
                List.of("bob", "cyd"),
                before.provenance().stream().map(Asset.Provenance::owner).toList());
    }
}

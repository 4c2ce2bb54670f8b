package org.worldserver.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.asset.AssetSpec.Attribute;
import org.worldserver.asset.AssetSpec.Kind;
import org.worldserver.persistence.testkit.MutableClock;

/**
 * Index consistency: after a random workload on real Asset entities (mints, transfers, listings, trade locks,
 * loans and returns, burns), the index folded from their journalled events, delivered at least once (earlier events
 * repeated at random), answers every query exactly as a scan of the entities' own states does.
 */
class AssetIndexTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "asset-index-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final String[] OWNERS = {"ada", "bob", "cyd", "dee"};
    private static final String[] TAGS = {"fire", "water", "rare", "old", "big"};
    private static final String[] WORDS = {"Sword", "Shield", "Tower", "Lantern", "Dawn", "Dusk", "Iron"};

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static StatusReply<Asset.Summary> ask(
            ActorRef<Asset.Command> asset, Function<ActorRef<StatusReply<Asset.Summary>>, Asset.Command> command) {
        return AskPattern.ask(asset, command::apply, Duration.ofSeconds(3), KIT.scheduler())
                .toCompletableFuture()
                .join();
    }

    @Test
    void shouldAnswerEveryQueryAsAScanOfTheEntitiesDoes() {
        for (long seed = 1; seed <= 3; seed++) {
            checkWorkload(new Random(seed));
        }
    }

    @Test
    void shouldApplyInOrderOnlyAndKeepTextNumbersAndSignedZerosApart() {
        AssetIndex index = new AssetIndex();
        AssetSpec spec = new AssetSpec(
                Kind.ITEM,
                "ada",
                "Iron-clad Lantern",
                Map.of(
                        "code", new Attribute(Attribute.Type.TEXT, "1.0"),
                        "tilt", new Attribute(Attribute.Type.NUMBER, "-0")),
                Set.of(),
                null,
                null,
                null);
        Instant at = Instant.EPOCH;
        assertEquals(AssetIndex.Applied.GAP, index.apply("x", new Asset.Listed(5, at, null), 2), "no mint yet");
        assertEquals(AssetIndex.Applied.APPLIED, index.apply("x", new Asset.Minted(spec, "ada", at, null), 1));
        assertEquals(AssetIndex.Applied.GAP, index.apply("x", new Asset.Delisted(at, null), 3), "2 is missing");
        assertEquals(AssetIndex.Applied.APPLIED, index.apply("x", new Asset.Listed(5, at, null), 2));
        assertEquals(AssetIndex.Applied.REPEATED, index.apply("x", new Asset.Listed(5, at, null), 2));
        assertEquals(5, index.get("x").price());

        assertEquals(List.of(), ids(index, query(Map.of("code", "1"), null, null)), "text 1.0 is not the number 1");
        assertEquals(List.of("x"), ids(index, query(Map.of("code", "1.0"), null, null)));
        assertEquals(List.of("x"), ids(index, query(Map.of("tilt", "0"), null, null)), "-0 is 0");
        assertEquals(List.of("x"), ids(index, query(null, Map.of("tilt", new double[] {0, 1}), null)));
        assertEquals(List.of(), ids(index, query(null, Map.of("tilt", new double[] {1, 0}), null)), "empty range");
        assertEquals(List.of(), ids(index, query(null, Map.of("tilt", new double[] {Double.NaN, 1}), null)));
        assertEquals(List.of(), ids(index, query(null, Map.of("tilt", new double[] {0}), null)), "malformed range");
        assertEquals(List.of("x"), ids(index, query(null, null, "clad")), "words are runs of letters and digits");
        assertEquals(List.of("x"), ids(index, query(null, null, "iron- LANT")));
    }

    private static AssetIndex.Query query(Map<String, String> equals, Map<String, double[]> ranges, String text) {
        return new AssetIndex.Query(null, null, null, equals, ranges, null, null, null, text, null, null, 10);
    }

    private static List<String> ids(AssetIndex index, AssetIndex.Query q) {
        return index.query(q).stream().map(AssetIndex.Doc::id).toList();
    }

    private void checkWorkload(Random random) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, ActorRef<Asset.Command>> assets = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            String id = run + "-" + i;
            ActorRef<Asset.Command> ref = KIT.spawn(Asset.create(id, clock));
            assets.put(id, ref);
            AssetSpec spec = randomSpec(random, i);
            String owner = OWNERS[random.nextInt(OWNERS.length)];
            ask(ref, r -> new Asset.Mint(spec, owner, r));
        }
        List<String> ids = new ArrayList<>(assets.keySet());
        for (int n = 0; n < 400; n++) {
            int step = n;
            ActorRef<Asset.Command> a = assets.get(ids.get(random.nextInt(ids.size())));
            String owner = ask(a, Asset.Get::new).getValue().owner();
            String other = OWNERS[random.nextInt(OWNERS.length)];
            String trade = "t" + step;
            switch (random.nextInt(8)) {
                case 0 -> ask(a, r -> new Asset.Transfer(other, owner, r));
                case 1, 2 -> ask(a, r -> new Asset.ListForSale((1 + random.nextInt(50)) * 1_000_000L, owner, r));
                case 3 -> ask(a, r -> new Asset.Delist(owner, r));
                case 4 -> {
                    long price = ask(a, Asset.Get::new).getValue().price();
                    ask(a, r -> new Asset.Lock(trade, other, price, r));
                    if (random.nextBoolean()) {
                        ask(a, r -> new Asset.Complete(trade, r));
                    } else if (random.nextBoolean()) {
                        ask(a, r -> new Asset.Unlock(trade, "gave up", r));
                    }
                }
                case 5 -> ask(a, r -> new Asset.Lend(other, clock.instant().plus(Duration.ofHours(1)), owner, r));
                case 6 -> {
                    clock.advance(Duration.ofHours(2));
                    assets.values().forEach(ref -> ref.tell(Asset.ReturnLent.INSTANCE));
                }
                default -> {
                    if (random.nextInt(4) == 0) {
                        ask(a, r -> new Asset.Burn(owner, r));
                    }
                }
            }
        }

        // Fold every asset's journalled events into the index, repeating earlier ones at random.
        PersistenceTestKit journal = PersistenceTestKit.create(KIT.system());
        AssetIndex index = new AssetIndex();
        Map<String, Asset.Summary> states = new TreeMap<>();
        for (String id : ids) {
            List<Object> events = journal.persistedInStorage("Asset|" + id);
            for (int i = 0; i < events.size(); i++) {
                index.apply(id, (Asset.Event) events.get(i), i + 1);
                if (random.nextInt(3) == 0) {
                    int again = random.nextInt(i + 1);
                    index.apply(id, (Asset.Event) events.get(again), again + 1);
                }
            }
            states.put(id, ask(assets.get(id), Asset.Get::new).getValue());
        }
        assertEquals(ids.size(), index.size());

        for (int q = 0; q < 300; q++) {
            AssetIndex.Query query = randomQuery(random);
            List<String> expected = states.values().stream()
                    .filter(s -> matches(s, query))
                    .map(Asset.Summary::id)
                    .limit(query.limit())
                    .toList();
            List<String> answered =
                    index.query(query).stream().map(AssetIndex.Doc::id).toList();
            assertEquals(expected, answered, () -> "query " + query + " with attributes " + ranges(query));
        }
    }

    private static AssetSpec randomSpec(Random random, int i) {
        Map<String, Attribute> attributes = new TreeMap<>();
        if (random.nextBoolean()) {
            attributes.put("level", new Attribute(Attribute.Type.NUMBER, Integer.toString(random.nextInt(10))));
        }
        if (random.nextBoolean()) {
            attributes.put("weight", new Attribute(Attribute.Type.NUMBER, (random.nextInt(40) / 4.0) + ""));
        }
        if (random.nextBoolean()) {
            attributes.put("forge", new Attribute(Attribute.Type.TEXT, random.nextBoolean() ? "north" : "south"));
        }
        Set<String> tags = new TreeSet<>();
        for (String tag : TAGS) {
            if (random.nextInt(3) == 0) {
                tags.add(tag);
            }
        }
        String name = WORDS[random.nextInt(WORDS.length)] + " of " + WORDS[random.nextInt(WORDS.length)];
        boolean parcel = random.nextInt(4) == 0;
        String creator = OWNERS[random.nextInt(OWNERS.length)];
        return parcel
                ? new AssetSpec(
                        Kind.LAND_PARCEL,
                        creator,
                        name,
                        attributes,
                        tags,
                        new AssetSpec.Parcel(random.nextBoolean() ? "lobby" : "plaza", i * 10, 0, i * 10 + 5, 5),
                        null,
                        null)
                : new AssetSpec(Kind.ITEM, creator, name, attributes, tags, null, null, null);
    }

    private static AssetIndex.Query randomQuery(Random random) {
        Map<String, String> equals = random.nextInt(4) == 0
                ? Map.of(random.nextBoolean() ? "level" : "forge", random.nextBoolean() ? "3" : "north")
                : null;
        Map<String, double[]> ranges = random.nextInt(4) == 0
                ? Map.of("weight", new double[] {random.nextInt(5), 2 + random.nextInt(8)})
                : null;
        Long minPrice = random.nextInt(4) == 0 ? (long) random.nextInt(30) * 1_000_000L : null;
        Long maxPrice = random.nextInt(4) == 0 ? (long) (10 + random.nextInt(40)) * 1_000_000L : null;
        return new AssetIndex.Query(
                random.nextInt(3) == 0 ? OWNERS[random.nextInt(OWNERS.length)] : null,
                random.nextInt(5) == 0 ? (random.nextBoolean() ? Kind.ITEM : Kind.LAND_PARCEL) : null,
                random.nextInt(3) == 0 ? TAGS[random.nextInt(TAGS.length)] : null,
                equals,
                ranges,
                random.nextInt(6) == 0 ? "plaza" : null,
                minPrice,
                maxPrice,
                random.nextInt(4) == 0
                        ? WORDS[random.nextInt(WORDS.length)].substring(0, 3).toLowerCase(Locale.ROOT)
                        : null,
                random.nextInt(6) == 0 ? Asset.Status.values()[random.nextInt(Asset.Status.values().length)] : null,
                null,
                1 + random.nextInt(40));
    }

    /** The scan: what a query means, written against the entity's own state. */
    private static boolean matches(Asset.Summary s, AssetIndex.Query q) {
        AssetSpec spec = s.spec();
        if (q.owner() != null && !q.owner().equals(s.owner())) {
            return false;
        }
        if (q.kind() != null && q.kind() != spec.kind()) {
            return false;
        }
        if (q.tag() != null && !spec.tags().contains(q.tag())) {
            return false;
        }
        if (q.region() != null
                && (spec.parcel() == null || !q.region().equals(spec.parcel().region()))) {
            return false;
        }
        if (q.status() != null ? q.status() != s.status() : s.status() == Asset.Status.BURNED) {
            return false;
        }
        if (q.attributeEquals() != null) {
            for (Map.Entry<String, String> e : q.attributeEquals().entrySet()) {
                Attribute a = spec.attributes().get(e.getKey());
                boolean equal = a != null
                        && (a.value().equals(e.getValue())
                                || (a.type() == Attribute.Type.NUMBER
                                        && isNumber(e.getValue())
                                        && a.number() == Double.parseDouble(e.getValue())));
                if (!equal) {
                    return false;
                }
            }
        }
        if (q.attributeRanges() != null) {
            for (Map.Entry<String, double[]> r : q.attributeRanges().entrySet()) {
                Attribute a = spec.attributes().get(r.getKey());
                if (a == null
                        || a.type() != Attribute.Type.NUMBER
                        || a.number() < r.getValue()[0]
                        || a.number() > r.getValue()[1]) {
                    return false;
                }
            }
        }
        if (q.minPrice() != null || q.maxPrice() != null) {
            if (s.status() != Asset.Status.LISTED
                    || (q.minPrice() != null && s.price() < q.minPrice())
                    || (q.maxPrice() != null && s.price() > q.maxPrice())) {
                return false;
            }
        }
        if (q.text() != null) {
            for (String word : q.text().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (word.isEmpty()) {
                    continue;
                }
                boolean found = false;
                for (String w : spec.name().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                    found |= w.startsWith(word);
                }
                if (!found) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String ranges(AssetIndex.Query q) {
        return q.attributeRanges() == null
                ? "-"
                : q.attributeRanges().entrySet().stream()
                        .map(e -> e.getKey() + "[" + e.getValue()[0] + "," + e.getValue()[1] + "]")
                        .toList()
                        .toString();
    }
}

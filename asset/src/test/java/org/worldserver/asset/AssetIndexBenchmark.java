package org.worldserver.asset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.worldserver.asset.AssetSpec.Attribute;

/**
 * Query latency of the metadata index with many assets (not a test: run it by hand). Builds an index of N assets
 * with a realistic spread (4,000 owners, 40 tags, 2 numeric and 1 text attribute, a quarter listed, names of two
 * words from 30), then times each kind of query over 2,000 random instances after a warm-up, and prints p50, p99
 * and max in microseconds, with the mean number of results.
 *
 * <pre>
 * mvn -q -o test-compile -pl asset
 * java -cp "asset/target/test-classes:asset/target/classes:$(cat cp.txt)" org.worldserver.asset.AssetIndexBenchmark 100000
 * </pre>
 */
public final class AssetIndexBenchmark {

    private static final String[] WORDS = {
        "iron", "glass", "oak", "silver", "dawn", "dusk", "storm", "ember", "frost", "stone", "sword", "lantern",
                "shield",
        "tower", "bridge", "garden", "crown", "ring", "boat", "harp", "owl", "fox", "wolf", "bear", "hawk", "rose",
        "lily", "moss", "reed", "fern"
    };

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Random random = new Random(42);
        AssetIndex index = new AssetIndex();
        long built = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, Attribute> attributes = new TreeMap<>();
            attributes.put("level", new Attribute(Attribute.Type.NUMBER, Integer.toString(random.nextInt(100))));
            attributes.put(
                    "weight", new Attribute(Attribute.Type.NUMBER, Double.toString(random.nextInt(1000) / 10.0)));
            attributes.put("forge", new Attribute(Attribute.Type.TEXT, WORDS[random.nextInt(WORDS.length)]));
            Set<String> tags = new TreeSet<>();
            for (int t = 0; t < 3; t++) {
                tags.add("tag" + random.nextInt(40));
            }
            boolean listed = random.nextInt(4) == 0;
            index.put(new AssetIndex.Doc(
                    String.format("asset-%07d", i),
                    random.nextInt(10) == 0 ? AssetSpec.Kind.LAND_PARCEL : AssetSpec.Kind.ITEM,
                    "creator" + random.nextInt(500),
                    "owner" + random.nextInt(4000),
                    WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)],
                    attributes,
                    tags,
                    random.nextInt(10) == 0 ? "region" + random.nextInt(20) : null,
                    listed ? Asset.Status.LISTED : Asset.Status.ACTIVE,
                    listed ? (1 + random.nextInt(1000)) * 1_000_000L : 0,
                    1));
        }
        System.out.printf(
                "%,d assets indexed in %.1f s; heap used %,d MB%n",
                n,
                (System.nanoTime() - built) / 1e9,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);

        time(index, "by owner", () -> query(random, "owner" + random.nextInt(4000), null, null, null, null, null));
        time(index, "by tag (first 50)", () -> query(random, null, "tag" + random.nextInt(40), null, null, null, null));
        time(
                index,
                "by tag + level range",
                () -> query(
                        random,
                        null,
                        "tag" + random.nextInt(40),
                        Map.of("level", new double[] {40, 45}),
                        null,
                        null,
                        null));
        time(index, "price range (first 50)", () -> query(random, null, null, null, 100L, 120L, null));
        time(
                index,
                "name prefix + price",
                () -> query(random, null, null, null, 1L, 500L, WORDS[random.nextInt(WORDS.length)].substring(0, 3)));
        time(
                index,
                "attribute equality",
                () -> new AssetIndex.Query(
                        null,
                        null,
                        null,
                        Map.of("forge", WORDS[random.nextInt(WORDS.length)]),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        50));
    }

    private static AssetIndex.Query query(
            Random random,
            String owner,
            String tag,
            Map<String, double[]> ranges,
            Long minCredits,
            Long maxCredits,
            String text) {
        return new AssetIndex.Query(
                owner,
                null,
                tag,
                null,
                ranges,
                null,
                minCredits == null ? null : minCredits * 1_000_000L,
                maxCredits == null ? null : maxCredits * 1_000_000L,
                text,
                null,
                null,
                50);
    }

    private static void time(AssetIndex index, String name, Supplier<AssetIndex.Query> queries) {
        for (int i = 0; i < 500; i++) {
            index.query(queries.get()); // warm-up
        }
        long[] micros = new long[2000];
        long results = 0;
        List<AssetIndex.Query> batch = new ArrayList<>();
        for (int i = 0; i < micros.length; i++) {
            batch.add(queries.get());
        }
        for (int i = 0; i < micros.length; i++) {
            long start = System.nanoTime();
            results += index.query(batch.get(i)).size();
            micros[i] = (System.nanoTime() - start) / 1_000;
        }
        Arrays.sort(micros);
        System.out.printf(
                "%-24s p50 %,6d µs  p99 %,7d µs  max %,7d µs  results %.1f%n",
                name,
                micros[micros.length / 2],
                micros[micros.length * 99 / 100],
                micros[micros.length - 1],
                results / (double) micros.length);
    }
}

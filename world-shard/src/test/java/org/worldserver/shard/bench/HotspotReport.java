package org.worldserver.shard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.worldserver.attention.Evaluation;
import org.worldserver.attention.RebalanceSettings;
import org.worldserver.attention.Rebalancer;
import org.worldserver.shard.rebalance.AttentionCommand;

/**
 * Reads what deploy/bench/hotspot.sh wrote for each strategy and prints the comparison: the load test's input →
 * observed p99; node loads as max against mean (process CPU as a share of the CPU the node may use, and attention per
 * second summed over each node's shards per unit of the node's reported capacity, so that nodes of different sizes
 * compare; with equal nodes, the plain figures), averaged over the samples with every node, and the attention figure
 * again over the samples from the crowd forming on (what a placement is for: room where the crowd is); shard moves (a
 * shard reported by another node than in the sample before); and the time from the crowd forming (the busiest shard at
 * 80 % of its peak avatars) until the node weights (w = A / (C + ΣA)) are within the re-balancer's stop spread (0.05);
 * and, when the nodes ran under a CPU limit, the seconds each was throttled (it wanted more CPU than its limit: the
 * overload a placement should spare it). Then it trains the importance network on the least-shard run's telemetry and
 * reports its error on the attention run's against the last value and the trend.
 */
public final class HotspotReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The re-balancer's shipped stop spread (reference.conf). */
    private static final double STOP_SPREAD =
            RebalanceSettings.fromRootConfig(ConfigFactory.load()).stopSpread();

    private HotspotReport() {}

    /**
     * One OUT directory: its table, then the importance network trained on its least-shard run. Several (repeated
     * pairs, {@code deploy/bench/hotspot-series.sh}): one row per pair with both placements, and the medians.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            series(Arrays.stream(args).map(Path::of).toList());
            return;
        }
        Path out = Path.of(args[0]);
        System.out.println("| placement | p99 input → observed | node CPU max/mean | node attention max/mean"
                + " | node attention max/mean, crowd formed on | shard moves | crowd formed → nodes balanced"
                + " | seconds throttled per node |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String strategy : List.of("least-shard", "attention")) {
            RunFigures f = figures(out, strategy);
            System.out.printf(
                    "| %s | %s | %.2f | %.2f | %.2f | %d | %s | %s |%n",
                    strategy,
                    Double.isNaN(f.p99Ms()) ? "(no summary)" : String.format("%.1f ms", f.p99Ms()),
                    f.cpuRatio(),
                    f.attentionRatio(),
                    f.attentionRatioCrowd(),
                    f.moves(),
                    f.recovery(),
                    throttled(out.resolve(strategy + ".cpu.txt")));
        }
        Path data = out.resolve("least-shard.telemetry.jsonl");
        Path heldOut = out.resolve("attention.telemetry.jsonl");
        if (Files.size(data) > 0 && Files.size(heldOut) > 0) {
            Evaluation e = AttentionCommand.train(
                    List.of(data), List.of(heldOut), out.resolve("model.zip").toFile(), 25, 1, 5_000);
            System.out.println("importance network, trained on the least-shard run, on the attention run's " + e);
        }
    }

    /** Repeated pairs side by side (least-shard, then attention, for each figure), then each column's median. */
    private static void series(List<Path> outs) throws Exception {
        System.out.println("| pair | p99, least-shard | p99, attention | attention max/mean, least-shard"
                + " | attention max/mean, attention | the same from the crowd forming on, least-shard"
                + " | the same from the crowd forming on, attention"
                + " | CPU max/mean, least-shard | CPU max/mean, attention | moves, least-shard | moves, attention |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        List<double[]> rows = new ArrayList<>();
        for (Path out : outs) {
            RunFigures least = figures(out, "least-shard");
            RunFigures attention = figures(out, "attention");
            double[] row = {
                least.p99Ms(),
                attention.p99Ms(),
                least.attentionRatio(),
                attention.attentionRatio(),
                least.attentionRatioCrowd(),
                attention.attentionRatioCrowd(),
                least.cpuRatio(),
                attention.cpuRatio(),
                least.moves(),
                attention.moves()
            };
            rows.add(row);
            System.out.println(seriesRow(out.getFileName().toString(), row));
        }
        double[] medians = new double[rows.get(0).length];
        for (int c = 0; c < medians.length; c++) {
            int column = c;
            medians[c] = median(rows.stream().mapToDouble(r -> r[column]).toArray());
        }
        System.out.println(seriesRow("median of " + outs.size(), medians));
        System.out.printf(
                "attention lower p99 in %d of %d pairs, lower attention max/mean in %d (from the crowd forming: %d),"
                        + " fewer moves in %d%n",
                rows.stream().filter(r -> r[1] < r[0]).count(),
                rows.size(),
                rows.stream().filter(r -> r[3] < r[2]).count(),
                rows.stream().filter(r -> r[5] < r[4]).count(),
                rows.stream().filter(r -> r[9] < r[8]).count());
    }

    private static String seriesRow(String name, double[] r) {
        return String.format(
                "| %s | %.0f ms | %.0f ms | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |",
                name, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], count(r[8]), count(r[9]));
    }

    /** A count as a whole number; a median of an even number of counts may end in .5. */
    private static String count(double c) {
        return c == Math.rint(c) ? String.valueOf((int) c) : String.valueOf(c);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * One placement's run in OUT.
     *
     * @param p99Ms the load test's input → observed p99, NaN without a summary
     * @param cpuRatio the busiest node's process CPU against the mean, averaged over the samples with every node
     * @param attentionRatio the same for the attention per second summed over each node's shards
     * @param attentionRatioCrowd the same from the sample where the crowd formed on; NaN if it never did
     * @param moves placement changes between consecutive samples
     * @param recovery from the crowd forming until the node weights are within the stop spread, as text
     */
    record RunFigures(
            double p99Ms,
            double cpuRatio,
            double attentionRatio,
            double attentionRatioCrowd,
            int moves,
            String recovery) {}

    private static RunFigures figures(Path out, String strategy) throws Exception {
        File summary = out.resolve(strategy).resolve("summary.json").toFile();
        double p99 = summary.exists()
                ? JSON.readTree(summary).get("latency_ms").get("p99").asDouble()
                : Double.NaN;
        List<JsonNode> samples = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(strategy + ".shards.jsonl"))) {
            if (!line.isBlank()) {
                samples.add(JSON.readTree(line));
            }
        }
        double cpuRatio = 0;
        double attentionRatio = 0;
        int counted = 0;
        double attentionRatioCrowd = 0;
        int countedCrowd = 0;
        int moves = 0;
        Map<String, String> placedBefore = new HashMap<>();
        int peakAvatars = 0;
        for (JsonNode s : samples) {
            for (JsonNode shard : s.get("shards")) {
                peakAvatars =
                        Math.max(peakAvatars, shard.get("latest").get("avatars").asInt());
            }
        }
        int mostNodes = 0;
        for (JsonNode s : samples) {
            mostNodes = Math.max(mostNodes, s.get("nodes").size());
        }
        long formedAt = -1;
        long balancedAt = -1;
        for (JsonNode s : samples) {
            Map<String, Double> cpu = new TreeMap<>();
            Map<String, Double> capacity = new TreeMap<>();
            long at = 0;
            for (JsonNode n : s.get("nodes")) {
                cpu.put(n.get("node").asText(), n.get("latest").get("cpu").asDouble());
                capacity.put(
                        n.get("node").asText(), n.get("latest").get("capacity").asDouble());
                at = Math.max(at, n.get("latest").get("endMillis").asLong());
            }
            Map<String, Double> attention = new TreeMap<>();
            cpu.keySet().forEach(n -> attention.put(n, 0.0));
            int busiest = 0;
            for (JsonNode shard : s.get("shards")) {
                String node = shard.get("node").asText();
                // A shard on a node that no longer reports is not weighed, as the re-balancer does.
                attention.computeIfPresent(
                        node,
                        (n, a) -> a
                                + shard.get("latest").get("attentionPerSecond").asDouble());
                busiest = Math.max(busiest, shard.get("latest").get("avatars").asInt());
                String before = placedBefore.put(shard.get("shard").asText(), node);
                if (before != null && !before.equals(node)) {
                    moves++;
                }
            }
            if (formedAt < 0 && peakAvatars > 0 && busiest >= 0.8 * peakAvatars) {
                formedAt = at;
            }
            if (cpu.size() == mostNodes) { // every node (after a node joined: every node, the new one included)
                cpuRatio += maxOverMean(cpu);
                attentionRatio += maxOverMean(perCapacity(attention, capacity));
                counted++;
                if (formedAt >= 0) {
                    attentionRatioCrowd += maxOverMean(perCapacity(attention, capacity));
                    countedCrowd++;
                }
            }
            if (formedAt >= 0 && balancedAt < 0 && Rebalancer.weightSpread(attention, capacity) < STOP_SPREAD) {
                balancedAt = at;
            }
        }
        String recovery = formedAt < 0
                ? "(no crowd seen)"
                : balancedAt < 0 ? "not within the run" : String.format("%.0f s", (balancedAt - formedAt) / 1000.0);
        return new RunFigures(
                p99,
                counted == 0 ? Double.NaN : cpuRatio / counted,
                counted == 0 ? Double.NaN : attentionRatio / counted,
                countedCrowd == 0 ? Double.NaN : attentionRatioCrowd / countedCrowd,
                moves,
                recovery);
    }

    /** "a / b / c" from hotspot.sh's lines "node K cpu_seconds X ... throttled_seconds S"; "-" without a limit. */
    private static String throttled(Path cpuReport) throws Exception {
        if (!Files.exists(cpuReport)) {
            return "-";
        }
        List<String> seconds = new ArrayList<>();
        for (String line : Files.readAllLines(cpuReport)) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("throttled_seconds")) {
                    seconds.add(f[i + 1]);
                }
            }
        }
        return seconds.isEmpty() ? "-" : String.join(" / ", seconds);
    }

    /** Each node's value divided by its capacity. */
    private static Map<String, Double> perCapacity(Map<String, Double> values, Map<String, Double> capacity) {
        Map<String, Double> per = new TreeMap<>();
        values.forEach((node, v) -> per.put(node, v / capacity.get(node)));
        return per;
    }

    private static double maxOverMean(Map<String, Double> values) {
        double max =
                values.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double mean = values.values().stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(0);
        return mean == 0 ? 1 : max / mean;
    }
}

package org.worldserver.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * {@code bin/world loadtest}: runs a scenario against a node ({@code --target}, its HTTP API; or several, {@code
 * --target URL,URL,...}: the bots log in through each in turn, the first defines the scenario's region and is
 * sampled for the server's CPU) and writes {@code
 * summary.json}, {@code latency.hgrm} (HdrHistogram's percentile distribution, corrected, in ms) and {@code
 * report.html} (the summary and charts over time) to {@code --out}. The server's CPU and heap come from its {@code
 * /metrics}, sampled every second ({@link Telemetry}); the harness reports its own CPU, since on one machine bots
 * and server share the cores. Exit status 0 when bots
 * connected and latencies were observed, 1 otherwise, 2 on bad arguments.
 */
public final class LoadTestCommand {

    /** What to run. */
    public record Options(
            String scenario, Integer avatars, Duration duration, Path out, List<URI> targets, boolean capacity) {

        /** @throws IllegalArgumentException with a message for the user */
        public static Options parse(String[] args) {
            String scenario = null;
            Integer avatars = null;
            Duration duration = null;
            Path out = null;
            List<URI> targets = List.of(URI.create("http://127.0.0.1:7626"));
            boolean capacity = false;
            for (int i = 0; i < args.length; i += 2) {
                if (args[i].equals("--capacity")) {
                    capacity = true;
                    i--;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--scenario" -> scenario = value;
                    case "--avatars" -> avatars = integer("--avatars", value);
                    case "--duration" -> duration = Duration.ofSeconds(integer("--duration", value));
                    case "--out" -> out = Path.of(value);
                    case "--target" -> targets = targets(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (scenario == null || out == null) {
                throw new IllegalArgumentException("--scenario NAME|FILE and --out DIR are required");
            }
            return new Options(scenario, avatars, duration, out, targets, capacity);
        }

        /** {@code http://HOST:PORT[,http://HOST:PORT...]}: each an absolute HTTP address. */
        private static List<URI> targets(String value) {
            return Arrays.stream(value.split(",", -1))
                    .map(String::strip)
                    .map(t -> {
                        try {
                            URI uri = new URI(t);
                            if (uri.getHost() != null
                                    && uri.getScheme() != null
                                    && (uri.getScheme().equals("http")
                                            || uri.getScheme().equals("https"))) {
                                return uri;
                            }
                        } catch (URISyntaxException e) {
                            // refused below
                        }
                        throw new IllegalArgumentException(
                                "--target takes http://HOST:PORT addresses separated by commas, was '" + value + "'");
                    })
                    .toList();
        }

        private static int integer(String flag, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a whole number, was " + value);
            }
        }
    }

    /**
     * Runs the load test; with {@code --check} first, only checks the arguments and the scenario (exit 0 or 2), so
     * that {@code bin/world} refuses a mistake before it starts a node.
     */
    public static void main(String[] args) throws Exception {
        Options options;
        Scenario scenario;
        boolean checkOnly = args.length > 0 && args[0].equals("--check");
        try {
            options = Options.parse(checkOnly ? Arrays.copyOfRange(args, 1, args.length) : args);
            scenario = scenarioOf(options);
        } catch (IllegalArgumentException e) {
            System.err.println("world loadtest: " + e.getMessage());
            System.err.println("usage: bin/world loadtest --scenario NAME|FILE --out DIR [--avatars N] [--duration S]"
                    + " [--target http://HOST:PORT[,http://HOST:PORT...]] [--capacity]");
            System.exit(2);
            return;
        }
        if (checkOnly) {
            return;
        }
        ObjectNode summary = run(scenario, options.targets(), options.out(), options.capacity() ? Slo.DEFAULT : null);
        System.out.println(summary.toString());
        System.exit(summary.get("ok").asBoolean() ? 0 : 1);
    }

    /** The scenario named by the options, with their overrides applied. */
    public static Scenario scenarioOf(Options options) {
        Scenario s = Scenario.load(options.scenario());
        return s.with(
                options.avatars() != null ? options.avatars() : s.avatars(),
                options.duration() != null ? options.duration() : s.steady());
    }

    /** Runs {@code scenario} against the node at {@code target}; writes and returns the summary. */
    public static ObjectNode run(Scenario scenario, URI target, Path out) throws Exception {
        return run(scenario, List.of(target), out, null);
    }

    /** As {@link #run(Scenario, List, Path, Slo)} against one node. */
    public static ObjectNode run(Scenario scenario, URI target, Path out, Slo slo) throws Exception {
        return run(scenario, List.of(target), out, slo);
    }

    /**
     * Runs {@code scenario} with its bots logging in through {@code targets} in turn (the first defines the region and
     * is sampled for the server's CPU and heap); with an {@code slo}, a capacity search: the population grows until
     * a window breaks it ({@code avatars_at_slo}, {@code slo_breach} in the summary).
     */
    public static ObjectNode run(Scenario scenario, List<URI> targets, Path out, Slo slo) throws Exception {
        URI target = targets.get(0);
        Files.createDirectories(out);
        if (scenario.regionDefinition() != null) {
            try {
                new LoginClient(target).defineRegion(scenario.regionDefinition());
            } catch (LoginClient.Refused e) {
                throw new IllegalStateException(
                        "the scenario's region " + scenario.region() + " was refused: " + e.getMessage(), e);
            }
        }
        LoadTest.Result r;
        double serverCpu;
        double harnessCpu;
        double heapPeak;
        List<Telemetry.Point> resources;
        try (Telemetry telemetry = new Telemetry(target);
                ClientAeron aeron = new ClientAeron()) {
            String prefix = "bot-" + UUID.randomUUID().toString().substring(0, 8);
            List<LoginClient> logins = targets.stream().map(LoginClient::new).toList();
            r = new LoadTest(scenario, logins, aeron, prefix, slo).run();
            serverCpu = telemetry.serverCores();
            harnessCpu = telemetry.harnessCores();
            heapPeak = telemetry.serverHeapPeakMb();
            resources = telemetry.points();
        }

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode summary = json.createObjectNode();
        summary.put("scenario", scenario.name());
        summary.put("avatars", scenario.avatars());
        summary.put("avatars_peak", r.avatarsPeak());
        if (slo == null) {
            summary.putNull("avatars_at_slo"); // capacity search mode only
        } else {
            summary.put("avatars_at_slo", r.avatarsAtSlo());
            summary.put("slo_breach", r.sloBreach());
        }
        summary.put("duration_s", round(r.durationSeconds()));
        Histogram h = r.latency().corrected();
        ObjectNode latency = summary.putObject("latency_ms");
        latency.put("p50", h.getValueAtPercentile(50) / 1000.0);
        latency.put("p99", h.getValueAtPercentile(99) / 1000.0);
        latency.put("p999", h.getValueAtPercentile(99.9) / 1000.0);
        latency.put("max", h.getMaxValue() / 1000.0);
        latency.put("observations", r.observations());
        latency.put("raw_p99", r.latency().raw().getValueAtPercentile(99) / 1000.0);
        summary.put("tick_hz", round(r.snapshotsPerSecondPerClient()));
        summary.put("loss_ratio", r.lossRatio());
        summary.put("bytes_per_client_s", round(r.bytesPerClientSecond()));
        summary.put("datagrams_per_client_s", round(r.datagramsPerClientSecond()));
        summary.put("server_cpu", round(serverCpu));
        summary.put("server_heap_peak_mb", round(heapPeak));
        summary.put("harness_cpu", round(harnessCpu));
        Histogram logins = r.loginMillis();
        ObjectNode login = summary.putObject("login_ms");
        login.put("p50", logins.getValueAtPercentile(50));
        login.put("p99", logins.getValueAtPercentile(99));
        login.put("max", logins.getMaxValue());
        LoadTest.Churned c = r.churned();
        summary.put("sessions", c.sessions());
        summary.put("logouts", c.logouts());
        ObjectNode teleports = summary.putObject("teleports");
        teleports.put("asked", c.teleports());
        teleports.put("done", c.teleportsDone());
        teleports.put("refused", c.teleportsRefused());
        teleports.put("failed", c.teleportsFailed());
        summary.put("started", r.started());
        summary.put("connect_timeouts", r.connectTimeouts());
        summary.put("denied", r.denied());
        summary.set("denied_by", json.valueToTree(r.deniedBy()));
        summary.put("lost", r.lost());
        summary.put("handoffs", r.handoffs());
        summary.put("handoffs_failed", r.handoffsFailed());
        summary.put("login_failures", r.loginFailures());
        summary.put("login_retries", r.loginRetries());
        summary.put("ok", r.avatarsPeak() > 0 && r.observations() > 0);
        Files.writeString(out.resolve("summary.json"), json.writeValueAsString(summary));
        try (PrintStream hgrm = new PrintStream(Files.newOutputStream(out.resolve("latency.hgrm")))) {
            r.latency().writePercentiles(hgrm);
        }
        Files.writeString(out.resolve("report.html"), Report.html(summary, r.timeline(), resources));
        Files.writeString(out.resolve("timeline.json"), json.writeValueAsString(r.timeline()));
        return summary;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

package org.worldserver.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.time.Duration;

/**
 * A load-test scenario, from a HOCON file ({@code scenario { ... }}; the shipped ones are in {@code
 * load-test/src/main/resources/scenarios/}): how many bots, how they arrive (an open model: a rate of new
 * avatars per second until the population is reached, whatever the server's state), how long the steady phase
 * lasts, how often each bot sends input, and what the bots do.
 *
 * @param avatars the population reached at the end of the ramp
 * @param arrivalsPerSecond new bots started per second during the ramp
 * @param steady how long the full population runs after the ramp
 * @param inputHz inputs each bot sends per second (each turns its focus: the harness measures latency by it)
 * @param randomWalk share of bots on a random walk; {@code hotspot} converge on the hotspot; the rest stand
 * @param hotspotX the hotspot's position east, metres; {@code hotspotZ} north
 */
public record Scenario(
        String name,
        int avatars,
        double arrivalsPerSecond,
        Duration steady,
        int inputHz,
        double randomWalk,
        double hotspot,
        double hotspotX,
        double hotspotZ) {

    public static final int MAX_AVATARS = 100_000;

    public Scenario {
        require(
                name != null && name.matches("[a-z0-9][a-z0-9-]{0,63}"),
                "scenario.name must be 1-64 of a-z 0-9 -, was " + name);
        require(
                avatars >= 1 && avatars <= MAX_AVATARS,
                "scenario.avatars must be 1.." + MAX_AVATARS + ", was " + avatars);
        require(
                arrivalsPerSecond > 0 && arrivalsPerSecond <= 10_000,
                "scenario.arrival-rate must be in (0, 10000] avatars/s, was " + arrivalsPerSecond);
        require(
                steady != null && !steady.isNegative() && steady.compareTo(Duration.ofHours(24)) <= 0,
                "scenario.duration must be 0..24h, was " + steady);
        require(inputHz >= 1 && inputHz <= 60, "scenario.input-hz must be 1..60, was " + inputHz);
        require(
                randomWalk >= 0 && hotspot >= 0 && randomWalk + hotspot <= 1.0 + 1e-9,
                "scenario.behaviours: random-walk and hotspot are shares in [0, 1] summing to at most 1 (the rest stand idle), were "
                        + randomWalk + " and " + hotspot);
        require(Double.isFinite(hotspotX) && Double.isFinite(hotspotZ), "scenario.hotspot must be finite metres");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The ramp: how long until the whole population has arrived. */
    public Duration ramp() {
        return Duration.ofMillis((long) Math.ceil(avatars / arrivalsPerSecond * 1000));
    }

    /** This scenario with another population and steady phase (command-line overrides). */
    public Scenario with(int newAvatars, Duration newSteady) {
        return new Scenario(
                name, newAvatars, arrivalsPerSecond, newSteady, inputHz, randomWalk, hotspot, hotspotX, hotspotZ);
    }

    /**
     * A shipped scenario by name ({@code random-walk}, {@code hotspot}), or a file.
     *
     * @throws IllegalArgumentException naming what is wrong: an unknown scenario, a missing or mistyped key, a
     *     value out of range
     */
    public static Scenario load(String nameOrFile) {
        File file = new File(nameOrFile);
        Config config;
        if (file.isFile()) {
            config = ConfigFactory.parseFile(file);
        } else if (nameOrFile.matches("[a-z0-9-]+")
                && Scenario.class.getResource("/scenarios/" + nameOrFile + ".conf") != null) {
            config = ConfigFactory.parseResources(Scenario.class, "/scenarios/" + nameOrFile + ".conf");
        } else {
            throw new IllegalArgumentException(
                    "no scenario '" + nameOrFile + "': neither a file nor one of random-walk, hotspot");
        }
        return parse(config);
    }

    private static double share(Config config, String path) {
        return config.hasPath(path) ? config.getDouble(path) : 0;
    }

    /** Reads {@code scenario { ... }} from {@code config}. */
    public static Scenario parse(Config config) {
        try {
            // Full paths, so a mistyped value is named as the file names it (scenario.avatars).
            if (!config.hasPath("scenario")) {
                throw new IllegalArgumentException("bad scenario: no scenario { ... } block");
            }
            return new Scenario(
                    config.getString("scenario.name"),
                    config.getInt("scenario.avatars"),
                    config.getDouble("scenario.arrival-rate"),
                    config.getDuration("scenario.duration"),
                    config.getInt("scenario.input-hz"),
                    share(config, "scenario.behaviours.random-walk"),
                    share(config, "scenario.behaviours.hotspot"),
                    config.hasPath("scenario.hotspot.x") ? config.getDouble("scenario.hotspot.x") : 512,
                    config.hasPath("scenario.hotspot.z") ? config.getDouble("scenario.hotspot.z") : 512);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad scenario: " + e.getMessage(), e);
        }
    }
}

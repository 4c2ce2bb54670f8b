package org.worldserver.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Random;

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
 * @param mix the share of bots per behaviour; the rest stand idle
 * @param hotspotX the hotspot's position east, metres; {@code hotspotZ} north
 * @param churn how the churning bots churn
 * @param area the part of the region's floor bots teleport within and scatter over ({@code area { min = [x, z],
 *     max = [x, z] }}, metres; default the lobby's 1,024 m square)
 * @param scatter where bots go once they first connect: null, they stay at the region's spawn point; else to
 *     groups spread over the area
 * @param warmUp how long the capacity search waits before it judges a window ({@code warm-up}, default 5 s: the
 *     first window); the bots arrive meanwhile as always
 * @param region the region the bots sign up with as their home (where they enter the world): {@code
 *     scenario.region = "lobby"} (the default) names one the target has; {@code scenario.region { name = ...,
 *     teleport = on, ... }} defines one ({@code POST /regions} before the run; the same definition again is
 *     accepted, another one under the same name refused)
 * @param regionDefinition that definition as JSON, or null when the scenario names an existing region
 */
public record Scenario(
        String name,
        int avatars,
        double arrivalsPerSecond,
        Duration steady,
        int inputHz,
        Mix mix,
        double hotspotX,
        double hotspotZ,
        Churn churn,
        Area area,
        Scatter scatter,
        Duration warmUp,
        String region,
        String regionDefinition) {

    public static final int MAX_AVATARS = 100_000;
    private static final List<String> SHIPPED = List.of("random-walk", "hotspot", "churn", "capacity");

    /**
     * Shares of the population, each in [0, 1], summing to at most 1 (the rest stand idle).
     *
     * @param randomWalk walk at random, turning every second
     * @param hotspot walk to the hotspot and mill about there
     * @param loginChurn walk at random, leave after a session and log in again after a while
     * @param teleportChurn walk at random and teleport to a random point of the area every so often
     */
    public record Mix(double randomWalk, double hotspot, double loginChurn, double teleportChurn) {
        public Mix {
            // (The fields are not assigned yet in a compact constructor: the message reads the parameters.)
            String were = "random-walk " + randomWalk + ", hotspot " + hotspot + ", login-churn " + loginChurn
                    + ", teleport-churn " + teleportChurn;
            double sum = 0;
            for (double share : new double[] {randomWalk, hotspot, loginChurn, teleportChurn}) {
                require(share >= 0 && share <= 1, "scenario.behaviours: each share must be in [0, 1], were " + were);
                sum += share;
            }
            require(
                    sum <= 1.0 + 1e-9,
                    "scenario.behaviours: the shares must sum to at most 1 (the rest stand idle), were " + were);
        }
    }

    /**
     * How churning bots churn.
     *
     * @param sessionLength a login-churn bot's mean session: each lasts between half and one and a half of it
     *     (uniformly), then the bot disconnects
     * @param offline how long it stays away before logging in again (the same avatar, a new session)
     * @param teleportEvery a teleport-churn bot's mean time between teleports (each between half and one and a
     *     half of it), to a random point of the scenario's area
     */
    public record Churn(Duration sessionLength, Duration offline, Duration teleportEvery) {
        public Churn {
            require(
                    sessionLength != null
                            && sessionLength.compareTo(Duration.ofSeconds(1)) >= 0
                            && sessionLength.compareTo(Duration.ofHours(24)) <= 0,
                    "scenario.churn.session-length must be 1s..24h, was " + sessionLength);
            require(
                    offline != null && !offline.isNegative() && offline.compareTo(Duration.ofHours(1)) <= 0,
                    "scenario.churn.offline must be 0..1h, was " + offline);
            require(
                    teleportEvery != null
                            && teleportEvery.compareTo(Duration.ofMillis(200)) >= 0
                            && teleportEvery.compareTo(Duration.ofHours(24)) <= 0,
                    "scenario.churn.teleport-every must be 200ms..24h (a session may send 10 requests a second), was "
                            + teleportEvery);
        }

        /** The defaults: 20 s sessions, 2 s offline, a teleport every 5 s. */
        public static final Churn DEFAULT =
                new Churn(Duration.ofSeconds(20), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    /** A rectangle of the region's floor, metres: x from {@code minX} to {@code maxX}, z from {@code minZ} to {@code maxZ}. */
    public record Area(double minX, double minZ, double maxX, double maxZ) {
        public Area {
            require(
                    Double.isFinite(minX)
                            && Double.isFinite(minZ)
                            && Double.isFinite(maxX)
                            && Double.isFinite(maxZ)
                            && minX < maxX
                            && minZ < maxZ,
                    "scenario.area: min must be below max, finite metres, were [" + minX + ", " + minZ + "] and ["
                            + maxX + ", " + maxZ + "]");
        }

        /** The lobby's floor with the node's default region size. */
        public static final Area DEFAULT = new Area(0, 0, 1024, 1024);

        /** A uniformly random point: {x, z}. */
        double[] randomPoint(Random random) {
            return new double[] {minX + random.nextDouble() * (maxX - minX), minZ + random.nextDouble() * (maxZ - minZ)
            };
        }
    }

    /**
     * Bots spread over the area in groups, as players gather at venues: bot {@code i} joins group {@code i /
     * groupSize}, whose centre is a random point of the area (the same for a given group in every run), and
     * teleports to within {@code radius} metres of it once it first connects (the region must allow teleports).
     * Groups no larger than what an observer's update budget covers per tick (34 by default) keep latency a
     * measure of the server rather than of the crowd's density.
     */
    public record Scatter(int groupSize, double radius) {
        public Scatter {
            require(
                    groupSize >= 1 && groupSize <= 10_000,
                    "scenario.scatter.group-size must be 1..10000, was " + groupSize);
            require(
                    Double.isFinite(radius) && radius >= 0 && radius <= 1000,
                    "scenario.scatter.radius must be 0..1000 metres, was " + radius);
        }
    }

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
        require(mix != null && churn != null && area != null, "scenario: behaviours, churn and area are required");
        require(
                warmUp != null && !warmUp.isNegative() && warmUp.compareTo(Duration.ofHours(1)) <= 0,
                "scenario.warm-up must be 0..1h, was " + warmUp);
        require(
                region != null && region.matches("[a-z0-9][a-z0-9-]{0,63}"),
                "scenario.region must be a region's name (1-64 of a-z 0-9 -), was " + region);
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
                name,
                newAvatars,
                arrivalsPerSecond,
                newSteady,
                inputHz,
                mix,
                hotspotX,
                hotspotZ,
                churn,
                area,
                scatter,
                warmUp,
                region,
                regionDefinition);
    }

    /**
     * A shipped scenario by name ({@code random-walk}, {@code hotspot}, {@code churn}), or a file.
     *
     * @throws IllegalArgumentException naming what is wrong: an unknown scenario, a missing or mistyped key, a
     *     value out of range
     */
    public static Scenario load(String nameOrFile) {
        File file = new File(nameOrFile);
        Config config;
        if (file.isFile()) {
            config = ConfigFactory.parseFile(file);
        } else if (SHIPPED.contains(nameOrFile)) {
            config = ConfigFactory.parseResources(Scenario.class, "/scenarios/" + nameOrFile + ".conf");
        } else {
            throw new IllegalArgumentException(
                    "no scenario '" + nameOrFile + "': neither a file nor one of " + String.join(", ", SHIPPED));
        }
        return parse(config);
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
                    new Mix(
                            number(config, "scenario.behaviours.random-walk", 0),
                            number(config, "scenario.behaviours.hotspot", 0),
                            number(config, "scenario.behaviours.login-churn", 0),
                            number(config, "scenario.behaviours.teleport-churn", 0)),
                    number(config, "scenario.hotspot.x", 512),
                    number(config, "scenario.hotspot.z", 512),
                    churn(config),
                    area(config),
                    config.hasPath("scenario.scatter")
                            ? new Scatter(
                                    config.getInt("scenario.scatter.group-size"),
                                    config.getDouble("scenario.scatter.radius"))
                            : null,
                    duration(config, "scenario.warm-up", Duration.ofSeconds(5)),
                    regionName(config),
                    regionDefinition(config));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad scenario: " + e.getMessage(), e);
        }
    }

    private static boolean definesRegion(Config config) {
        return config.hasPath("scenario.region")
                && config.getValue("scenario.region").valueType() == ConfigValueType.OBJECT;
    }

    private static String regionName(Config config) {
        if (definesRegion(config)) {
            return config.getString("scenario.region.name");
        }
        return config.hasPath("scenario.region") ? config.getString("scenario.region") : "lobby";
    }

    private static String regionDefinition(Config config) {
        return definesRegion(config)
                ? config.getConfig("scenario.region").root().render(ConfigRenderOptions.concise())
                : null;
    }

    private static Churn churn(Config config) {
        Churn d = Churn.DEFAULT;
        return new Churn(
                duration(config, "scenario.churn.session-length", d.sessionLength()),
                duration(config, "scenario.churn.offline", d.offline()),
                duration(config, "scenario.churn.teleport-every", d.teleportEvery()));
    }

    private static Area area(Config config) {
        Area d = Area.DEFAULT;
        String min = "scenario.area.min";
        String max = "scenario.area.max";
        return new Area(
                config.hasPath(min) ? coordinate(config, min, 0) : d.minX(),
                config.hasPath(min) ? coordinate(config, min, 1) : d.minZ(),
                config.hasPath(max) ? coordinate(config, max, 0) : d.maxX(),
                config.hasPath(max) ? coordinate(config, max, 1) : d.maxZ());
    }

    private static double number(Config config, String path, double otherwise) {
        return config.hasPath(path) ? config.getDouble(path) : otherwise;
    }

    private static Duration duration(Config config, String path, Duration otherwise) {
        return config.hasPath(path) ? config.getDuration(path) : otherwise;
    }

    /** Element {@code index} of a pair {@code [x, z]}. */
    private static double coordinate(Config config, String path, int index) {
        List<Double> pair = config.getDoubleList(path);
        if (pair.size() != 2) {
            throw new IllegalArgumentException(path + " must be [x, z] metres, was " + pair);
        }
        return pair.get(index);
    }
}

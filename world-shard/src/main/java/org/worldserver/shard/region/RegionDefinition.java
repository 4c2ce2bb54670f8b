package org.worldserver.shard.region;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.shard.world.RegionBounds;

/**
 * What an operator defines about a region. The same keys describe a region in {@code world.regions} and in the
 * body of {@code POST /regions}: {@code name}, {@code min}, {@code max}, {@code cell-size}, {@code tick-hz},
 * {@code capacity}, {@code max-speed}, {@code teleport}, {@code max-candidates}.
 *
 * @param name lower-case id, {@code [a-z0-9][a-z0-9-]{0,31}}
 * @param bounds where avatars may be, metres relative to the region's origin
 * @param cellSize edge of one cell on the ground plane, metres; each cell is a sharded actor
 * @param tickHz simulation rate
 * @param capacity most avatars one cell of the region holds at once
 * @param maxSpeed fastest an avatar moves here, m/s
 * @param teleportAllowed whether explicit teleports are accepted
 * @param maxCandidates most entities one observer considers per tick
 */
public record RegionDefinition(
        String name,
        RegionBounds bounds,
        float cellSize,
        float tickHz,
        int capacity,
        float maxSpeed,
        boolean teleportAllowed,
        int maxCandidates)
        implements CborSerializable {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Set<String> KEYS =
            Set.of("name", "min", "max", "cell-size", "tick-hz", "capacity", "max-speed", "teleport", "max-candidates");

    public RegionDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("region name '" + name + "' must match " + NAME.pattern());
        }
        if (bounds == null) {
            throw new IllegalArgumentException("region " + name + ": bounds are required");
        }
        if (!(tickHz >= 1 && tickHz <= 120) || capacity <= 0 || !(maxSpeed > 0) || maxCandidates <= 0) {
            throw new IllegalArgumentException(
                    "region " + name + ": tick rate must be 1-120 Hz; capacity, max speed and max candidates positive");
        }
        if (!(cellSize >= 16) || !Float.isFinite(cellSize)) {
            throw new IllegalArgumentException("region " + name + ": cell size must be at least 16 m");
        }
        long cells = (long) Math.ceil(bounds.width() / cellSize) * (long) Math.ceil(bounds.depth() / cellSize);
        if (cells > CellLayout.MAX_CELLS) {
            throw new IllegalArgumentException(
                    "region " + name + ": " + cells + " cells, at most " + CellLayout.MAX_CELLS + " (raise cell-size)");
        }
    }

    /** Reads one region entry, with {@code defaults} for what it leaves out; rejects keys it does not know. */
    public static RegionDefinition fromConfig(Config entry, Config defaults) {
        Set<String> unknown = new TreeSet<>(entry.root().keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown region keys " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        try {
            Config c = entry.withFallback(defaults);
            List<Double> min = c.getDoubleList("min");
            List<Double> max = c.getDoubleList("max");
            if (min.size() != 3 || max.size() != 3) {
                throw new IllegalArgumentException("region " + c.getString("name") + ": min and max are [x, y, z]");
            }
            return new RegionDefinition(
                    c.getString("name"),
                    new RegionBounds(
                            min.get(0).floatValue(),
                            min.get(1).floatValue(),
                            min.get(2).floatValue(),
                            max.get(0).floatValue(),
                            max.get(1).floatValue(),
                            max.get(2).floatValue()),
                    (float) c.getDouble("cell-size"),
                    (float) c.getDouble("tick-hz"),
                    c.getInt("capacity"),
                    (float) c.getDouble("max-speed"),
                    c.getBoolean("teleport"),
                    c.getInt("max-candidates"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Parses a region from JSON (the body of {@code POST /regions}) with {@code world.region-defaults} of {@code
     * root} for what it leaves out.
     *
     * @throws IllegalArgumentException on malformed JSON, unknown keys or invalid values
     */
    public static RegionDefinition fromJson(String json, Config root) {
        Config entry;
        try {
            entry = ConfigFactory.parseString(
                    json, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        return fromConfig(entry, root.getConfig("world.region-defaults"));
    }

    /** Every region in {@code world.regions}. */
    public static List<RegionDefinition> allFromRootConfig(Config root) {
        Config defaults = root.getConfig("world.region-defaults");
        return root.getConfigList("world.regions").stream()
                .map(entry -> fromConfig(entry, defaults))
                .toList();
    }

    /** Where avatars arrive when they are sent here without a position: the centre of the floor. */
    public float[] spawnPoint() {
        return new float[] {(bounds.minX() + bounds.maxX()) / 2, bounds.minY(), (bounds.minZ() + bounds.maxZ()) / 2};
    }
}

package org.worldserver.shard.region;

import com.typesafe.config.Config;
import java.util.List;
import java.util.regex.Pattern;
import org.worldserver.shard.world.RegionBounds;

/**
 * What an operator defines about a region.
 *
 * @param name lower-case id, {@code [a-z0-9][a-z0-9-]{0,31}}
 * @param bounds where avatars may be, metres relative to the region's origin
 * @param tickHz simulation rate
 * @param capacity most avatars at once
 * @param maxSpeed fastest an avatar moves here, m/s
 * @param teleportAllowed whether explicit teleports are accepted
 * @param maxCandidates most entities one observer considers per tick
 */
public record RegionDefinition(
        String name,
        RegionBounds bounds,
        float tickHz,
        int capacity,
        float maxSpeed,
        boolean teleportAllowed,
        int maxCandidates) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    public RegionDefinition {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("region name '" + name + "' must match " + NAME.pattern());
        }
        if (!(tickHz >= 1 && tickHz <= 120) || capacity <= 0 || !(maxSpeed > 0) || maxCandidates <= 0) {
            throw new IllegalArgumentException(
                    "region " + name + ": tick rate must be 1-120 Hz; capacity, max speed and max candidates positive");
        }
    }

    /** Reads one entry of {@code world.regions}, with {@code world.region-defaults} for what it leaves out. */
    public static RegionDefinition fromConfig(Config entry, Config defaults) {
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
                (float) c.getDouble("tick-hz"),
                c.getInt("capacity"),
                (float) c.getDouble("max-speed"),
                c.getBoolean("teleport"),
                c.getInt("max-candidates"));
    }

    /** Every region in {@code world.regions}. */
    public static List<RegionDefinition> allFromRootConfig(Config root) {
        Config defaults = root.getConfig("world.region-defaults");
        return root.getConfigList("world.regions").stream()
                .map(entry -> fromConfig(entry, defaults))
                .toList();
    }
}

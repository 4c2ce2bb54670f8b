package org.worldserver.shard.world;

import com.typesafe.config.Config;

/**
 * Interest management parameters ({@code world.interest}).
 *
 * @param aoiRadius area-of-interest radius on the ground plane, metres
 * @param maxSpeed fastest an avatar moves, m/s (normalises relative velocity)
 * @param distanceWeight weight of distance in the relevance score (nearer scores higher)
 * @param velocityWeight weight of relative speed (faster relative motion scores higher)
 * @param focusWeight weight of the cosine between the observer's focus and the direction to the entity
 * @param interactionWeight bonus when observer and entity interact with each other
 * @param budgetBytesPerSecond bandwidth each observer may receive, bytes/s
 * @param updateBytes cost of one entity update on the wire, bytes
 * @param minRefreshHz every entity in range is refreshed at least this often, however unimportant
 */
public record InterestSettings(
        float aoiRadius,
        float maxSpeed,
        float distanceWeight,
        float velocityWeight,
        float focusWeight,
        float interactionWeight,
        int budgetBytesPerSecond,
        int updateBytes,
        float minRefreshHz) {

    public InterestSettings {
        if (!(aoiRadius > 0 && maxSpeed > 0 && minRefreshHz > 0) || budgetBytesPerSecond <= 0 || updateBytes <= 0) {
            throw new IllegalArgumentException(
                    "interest radius, speed, rates, budget and update size must be positive");
        }
    }

    public static InterestSettings fromRootConfig(Config root) {
        Config c = root.getConfig("world.interest");
        return new InterestSettings(
                (float) c.getDouble("aoi-radius"),
                (float) c.getDouble("max-speed"),
                (float) c.getDouble("weights.distance"),
                (float) c.getDouble("weights.velocity"),
                (float) c.getDouble("weights.focus"),
                (float) c.getDouble("weights.interaction"),
                c.getBytes("budget-per-second").intValue(),
                c.getBytes("update-size").intValue(),
                (float) c.getDouble("min-refresh-hz"));
    }
}

package org.worldserver.shard.region;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.asset.AssetUsage;
import org.worldserver.asset.Assets;

/** Placements of assets at points of the world's regions, for the operator API and client sessions alike. */
public final class AssetPlacements {

    private AssetPlacements() {}

    /**
     * Places asset {@code id} at (x, y, z) metres of {@code region} as {@code by} ({@link Assets#place}); refused with
     * {@code region-unknown} when the region is not open and {@code usage-invalid} when the point is outside it.
     */
    public static CompletionStage<StatusReply<AssetUsage.Summary>> place(
            WorldRegions regions,
            Assets assets,
            String id,
            String placement,
            String region,
            float x,
            float y,
            float z,
            String by) {
        return regions.openDefinition(region).thenCompose(definition -> {
            if (definition.isEmpty()) {
                return CompletableFuture.completedFuture(StatusReply.error("region-unknown: no open region " + region));
            }
            if (!definition.get().bounds().contains(x, y, z)) {
                return CompletableFuture.completedFuture(StatusReply.error(
                        "usage-invalid: the point (" + x + ", " + y + ", " + z + ") is not in region " + region));
            }
            return assets.place(id, placement, region, x, y, z, by);
        });
    }
}

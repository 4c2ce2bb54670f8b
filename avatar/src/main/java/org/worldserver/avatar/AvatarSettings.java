package org.worldserver.avatar;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code world.avatar} section, read once.
 *
 * @param positionCheckpointInterval minimum time between two persisted position checkpoints
 * @param snapshotEvery events between snapshots
 */
public record AvatarSettings(Duration positionCheckpointInterval, int snapshotEvery) {

    public static AvatarSettings fromRootConfig(Config root) {
        Config c = root.getConfig("world.avatar");
        return new AvatarSettings(c.getDuration("position-checkpoint-interval"), c.getInt("snapshot-every"));
    }
}

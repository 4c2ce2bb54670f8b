package org.worldserver.shard;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code world.node} section, read once at start.
 *
 * @param startupTimeout longest time from start to node up before the node gives up
 */
public record NodeSettings(Duration startupTimeout) {

    public static NodeSettings fromRootConfig(Config root) {
        return new NodeSettings(root.getConfig("world.node").getDuration("startup-timeout"));
    }
}

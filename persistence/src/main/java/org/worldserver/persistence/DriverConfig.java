package org.worldserver.persistence;

import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;

/** Driver configuration for plain CqlSessions (operator commands, tests) taken from an application's config. */
public final class DriverConfig {

    private DriverConfig() {}

    /**
     * A loader with the {@code datastax-java-driver} section of {@code root} (so the same contact points, data
     * centre and timeouts as the journal), on top of the driver's defaults.
     */
    public static DriverConfigLoader loaderFrom(Config root) {
        Config driver = ConfigFactory.empty().withValue("datastax-java-driver", root.getValue("datastax-java-driver"));
        return DriverConfigLoader.fromString(driver.root().render(ConfigRenderOptions.concise()));
    }
}

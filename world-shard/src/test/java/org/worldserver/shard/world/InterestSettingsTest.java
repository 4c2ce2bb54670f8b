package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class InterestSettingsTest {

    @Test
    void shouldReadTheShippedDefaults() {
        InterestSettings s = InterestSettings.fromRootConfig(ConfigFactory.load());
        assertEquals(new InterestSettings(64f, 6f, 2f, 1f, 1f, 3f, 9728, 14, 1f), s);
    }
}

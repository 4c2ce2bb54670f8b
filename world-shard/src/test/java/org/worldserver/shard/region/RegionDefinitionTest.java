package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.world.RegionBounds;

class RegionDefinitionTest {

    @Test
    void shouldReadTheShippedLobbyWithTheDefaults() {
        assertEquals(
                List.of(new RegionDefinition(
                        "lobby", new RegionBounds(0, 0, 0, 1024, 256, 1024), 20f, 10000, 6f, false, 256)),
                RegionDefinition.allFromRootConfig(ConfigFactory.load()));
    }

    @Test
    void shouldLetAnEntryOverrideTheDefaultsAndRejectBadOnes() {
        var root = ConfigFactory.parseString(
                        "world.regions = [{ name = market, tick-hz = 30, teleport = on, max = [64, 32, 64] }]")
                .withFallback(ConfigFactory.load());
        RegionDefinition market = RegionDefinition.allFromRootConfig(root).get(0);
        assertEquals(30f, market.tickHz());
        assertEquals(true, market.teleportAllowed());
        assertEquals(new RegionBounds(0, 0, 0, 64, 32, 64), market.bounds());

        for (String bad :
                List.of("{ name = \"Bad Name\" }", "{ name = x, tick-hz = 0 }", "{ name = x, min = [1, 2] }")) {
            var config =
                    ConfigFactory.parseString("world.regions = [" + bad + "]").withFallback(ConfigFactory.load());
            assertThrows(IllegalArgumentException.class, () -> RegionDefinition.allFromRootConfig(config), bad);
        }
    }
}

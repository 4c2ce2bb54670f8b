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
                        "lobby", new RegionBounds(0, 0, 0, 1024, 256, 1024), 256f, 20f, 10000, 6f, false, 256)),
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

        for (String bad : List.of(
                "{ name = \"Bad Name\" }",
                "{ name = x, tick-hz = 0 }",
                "{ name = x, min = [1, 2] }",
                "{ name = x, tickHz = 30 }",
                "{ name = x, cell-size = 8 }",
                "{ name = x, cell-size = 16, max = [4096, 10, 4096] }",
                "{ name = x, capacity = lots }")) {
            var config =
                    ConfigFactory.parseString("world.regions = [" + bad + "]").withFallback(ConfigFactory.load());
            assertThrows(IllegalArgumentException.class, () -> RegionDefinition.allFromRootConfig(config), bad);
        }
    }

    @Test
    void shouldParseTheJsonOfPostRegionsWithTheSameKeysAndDefaults() {
        RegionDefinition reef = RegionDefinition.fromJson(
                "{\"name\": \"reef\", \"max\": [512, 64, 256], \"cell-size\": 128}", ConfigFactory.load());
        assertEquals(new RegionBounds(0, 0, 0, 512, 64, 256), reef.bounds());
        assertEquals(128f, reef.cellSize());
        assertEquals(20f, reef.tickHz(), "defaults from world.region-defaults");
        assertEquals(8, new CellLayout(reef).allCells().size());
        for (String bad : List.of("{", "[1, 2]", "{\"name\": \"reef\", \"colour\": \"blue\"}", "{}")) {
            assertThrows(
                    IllegalArgumentException.class, () -> RegionDefinition.fromJson(bad, ConfigFactory.load()), bad);
        }
    }
}

package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CellShardsTest {

    @Test
    void shouldPutSquareBlocksOfNeighbouringCellsIntoOneShard() {
        CellShards shards = new CellShards(2);
        assertEquals("lobby:0:0", shards.shardId("lobby:0:0"));
        assertEquals("lobby:0:0", shards.shardId("lobby:1:1"));
        assertEquals("lobby:1:0", shards.shardId("lobby:2:1"));
        assertEquals("lobby:1:1", shards.shardId("lobby:3:3"));
        assertEquals("my-region-2:5:0", shards.shardId("my-region-2:10:1"));
        assertEquals("lobby:3:3", new CellShards(1).shardId("lobby:3:3"), "group 1: a shard per cell");
    }

    /** Any cell of any region goes to the block that holds it. */
    @Property(tries = 300)
    void shouldPutEveryCellIntoTheBlockThatHoldsIt(
            @ForAll @IntRange(min = 0, max = 2047) int ix,
            @ForAll @IntRange(min = 0, max = 2047) int iz,
            @ForAll @IntRange(min = 1, max = 8) int group) {
        CellId cell = new CellId("reef-" + group, ix, iz);
        String expected = group == 1 ? cell.entityId() : cell.region() + ":" + ix / group + ":" + iz / group;
        assertEquals(expected, new CellShards(group).shardOf(cell));
    }

    @Test
    void shouldGiveAMalformedIdAShardOfItsOwnAndRefuseABadGroup() {
        CellShards shards = new CellShards(2);
        assertEquals("nonsense", shards.shardId("nonsense"));
        assertEquals("a:b:c", shards.shardId("a:b:c"));
        assertEquals(":1", shards.shardId(":1"));
        assertThrows(IllegalArgumentException.class, () -> new CellShards(0));
    }
}

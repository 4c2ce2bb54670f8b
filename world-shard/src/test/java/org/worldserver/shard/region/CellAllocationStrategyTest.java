package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Where a shard of cells goes when the re-balancer has not placed it, or placed it on a node that left. (Following a
 * location it set, between nodes, is AttentionPlacementIT's.)
 */
class CellAllocationStrategyTest {

    private static final ActorTestKit KIT = ActorTestKit.create("CellAllocationStrategyTest");
    private static final Address SELF = new Address("pekko", "world", "127.0.0.1", 25531);
    private static final Address GONE = new Address("pekko", "world", "127.0.0.1", 25539);

    private static final ActorRef A = region();
    private static final ActorRef B = region();
    private static final ActorRef C = region();

    private static ActorRef region() {
        return Adapter.toClassic(KIT.<Object>createTestProbe().ref());
    }

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void shouldGiveAShardNeverPlacedToTheRegionWithTheFewestShards() {
        assertEquals(B, CellAllocationStrategy.choose(A, Map.of(A, 3, B, 1, C, 2), null, SELF));
    }

    @Test
    void shouldPreferTheRequesterAmongEquals() {
        assertEquals(C, CellAllocationStrategy.choose(C, Map.of(A, 1, B, 1, C, 1), null, SELF));
        assertEquals(B, CellAllocationStrategy.choose(B, Map.of(A, 2, B, 2, C, 2), null, SELF));
    }

    @Test
    void shouldPlaceAShardWhoseNodeLeftLikeOneNeverPlaced() {
        assertEquals(C, CellAllocationStrategy.choose(A, Map.of(A, 4, B, 2, C, 0), GONE, SELF));
    }
}

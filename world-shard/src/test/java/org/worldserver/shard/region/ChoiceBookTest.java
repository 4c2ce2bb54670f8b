package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Where a shard of cells goes when the re-balancer has not placed it, or placed it on a node that left, and how
 * allocations under way at once spread. (Following a location it set, between nodes, is AttentionPlacementIT's: the
 * regions here are local actors, all at this node's address.)
 */
class ChoiceBookTest {

    private static final ActorTestKit KIT = ActorTestKit.create("ChoiceBookTest");
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

    private static ActorRef choose(ChoiceBook book, ActorRef requester, String shard, Map<ActorRef, Integer> counts) {
        return book.choose(requester, shard, counts, Set.of(), null, SELF);
    }

    @Test
    void shouldGiveAShardNeverPlacedToTheRegionWithTheFewestShards() {
        assertEquals(B, choose(new ChoiceBook(Duration.ofSeconds(10)), A, "s", Map.of(A, 3, B, 1, C, 2)));
    }

    @Test
    void shouldPreferTheRequesterAmongEquals() {
        assertEquals(C, choose(new ChoiceBook(Duration.ofSeconds(10)), C, "s", Map.of(A, 1, B, 1, C, 1)));
    }

    @Test
    void shouldPlaceAShardWhoseNodeLeftLikeOneNeverPlaced() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        assertEquals(C, book.choose(A, "s", Map.of(A, 4, B, 2, C, 0), Set.of(), GONE, SELF));
    }

    @Test
    void shouldSpreadAllocationsUnderWayThatSeeTheSameAllocations() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        Map<ActorRef, Integer> stale = Map.of(A, 0, B, 0, C, 0);
        Map<ActorRef, Integer> given = new HashMap<>();
        for (int s = 0; s < 6; s++) {
            given.merge(choose(book, A, "s" + s, stale), 1, Integer::sum);
        }
        assertEquals(Map.of(A, 2, B, 2, C, 2), given);
        // Asked again for a shard already chosen (the region retries): it does not count against itself.
        ActorRef again = choose(book, A, "s0", stale);
        assertEquals(again, choose(book, A, "s0", stale));
    }

    @Test
    void shouldForgetAChoiceOnceTheCoordinatorShowsIt() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        assertEquals(A, choose(book, A, "s0", Map.of(A, 0, B, 0)));
        // Now allocated: counted once, in the coordinator's numbers, not again as a choice under way.
        assertEquals(B, book.choose(A, "s1", Map.of(A, 1, B, 0), Set.of("s0"), null, SELF));
        assertEquals(A, book.choose(A, "s2", Map.of(A, 1, B, 1), Set.of("s0", "s1"), null, SELF));
    }

    @Test
    void shouldForgetChoicesNeverSeenAllocatedAfterItsMemory() {
        ChoiceBook forgetful = new ChoiceBook(Duration.ZERO);
        Map<ActorRef, Integer> stale = Map.of(A, 0, B, 0);
        assertEquals(A, choose(forgetful, A, "s0", stale));
        assertEquals(A, choose(forgetful, A, "s1", stale), "the first choice no longer counts");
    }
}

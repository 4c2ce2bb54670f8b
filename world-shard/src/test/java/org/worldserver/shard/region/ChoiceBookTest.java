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
 * Where a shard of cells goes: where the re-balancer placed it, else the Up node with the fewest shards per unit of
 * capacity; and how
 * allocations under way at once spread. (Between real nodes: AttentionPlacementIT.)
 */
class ChoiceBookTest {

    private static final ActorTestKit KIT = ActorTestKit.create("ChoiceBookTest");
    private static final Address GONE = new Address("pekko", "world", "127.0.0.1", 25539);

    private static final ActorRef A = region();
    private static final ActorRef B = region();
    private static final ActorRef C = region();

    /** The regions' nodes (as the strategy reads them from the regions' actor paths). */
    private static final Map<ActorRef, Address> NODES = Map.of(A, node(1), B, node(2), C, node(3));

    private static final Set<Address> UP = Set.of(node(1), node(2), node(3));

    private static Address node(int k) {
        return new Address("pekko", "world", "127.0.0.1", 25530 + k);
    }

    private static ActorRef region() {
        return Adapter.toClassic(KIT.<Object>createTestProbe().ref());
    }

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static ActorRef choose(ChoiceBook book, ActorRef requester, String shard, Map<ActorRef, Integer> counts) {
        return book.choose(requester, shard, counts, Set.of(), UP, Map.of(), null, NODES::get);
    }

    @Test
    void shouldGiveAShardNeverPlacedToTheRegionWithTheFewestShards() {
        assertEquals(B, choose(new ChoiceBook(Duration.ofSeconds(10)), A, "s", Map.of(A, 3, B, 1, C, 2)));
    }

    /**
     * Nodes of different sizes: the one with the fewest shards per capacity once it takes the new one. Node 3 (C) has
     * a third of the others' capacity: with 2 shards to A's 5 it would be the fuller after taking one (3/25 against
     * 6/75), though it has the fewest and asks; with 1 to their 6 it is the emptier (2/25 against 7/75).
     */
    @Test
    void shouldWeighShardCountsByCapacity() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        Map<Address, Double> sizes = Map.of(node(1), 75.0, node(2), 75.0, node(3), 25.0);
        assertEquals(A, book.choose(C, "s", Map.of(A, 5, B, 6, C, 2), Set.of(), UP, sizes, null, NODES::get));
        assertEquals(C, book.choose(A, "t", Map.of(A, 6, B, 6, C, 1), Set.of("s"), UP, sizes, null, NODES::get));
        // A node that has not reported its capacity counts as the mean of the others: B as 50, so 4/50 against A's
        // 5/75 (as 75 it would have been the emptiest, 4/75).
        Map<Address, Double> bUnknown = Map.of(node(1), 75.0, node(3), 25.0);
        assertEquals(
                A,
                new ChoiceBook(Duration.ofSeconds(10))
                        .choose(B, "u", Map.of(A, 4, B, 3, C, 1), Set.of(), UP, bUnknown, null, NODES::get));
    }

    @Test
    void shouldPreferTheRequesterAmongEquals() {
        assertEquals(C, choose(new ChoiceBook(Duration.ofSeconds(10)), C, "s", Map.of(A, 1, B, 1, C, 1)));
    }

    @Test
    void shouldPlaceAShardWhoseNodeLeftLikeOneNeverPlaced() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        assertEquals(C, book.choose(A, "s", Map.of(A, 4, B, 2, C, 0), Set.of(), UP, Map.of(), GONE, NODES::get));
    }

    @Test
    void shouldFollowTheLocationTheRebalancerSet() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        assertEquals(A, book.choose(B, "s", Map.of(A, 9, B, 0, C, 0), Set.of(), UP, Map.of(), node(1), NODES::get));
    }

    @Test
    void shouldPreferAnUpMemberToOneLeavingOrDowned() {
        ChoiceBook book = new ChoiceBook(Duration.ofSeconds(10));
        // C has the fewest shards but its node is leaving (not Up): B, the fewest among the Up ones.
        Set<Address> cLeaving = Set.of(node(1), node(2));
        assertEquals(B, book.choose(A, "s", Map.of(A, 3, B, 2, C, 0), Set.of(), cLeaving, Map.of(), null, NODES::get));
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
        assertEquals(B, book.choose(A, "s1", Map.of(A, 1, B, 0), Set.of("s0"), UP, Map.of(), null, NODES::get));
        assertEquals(A, book.choose(A, "s2", Map.of(A, 1, B, 1), Set.of("s0", "s1"), UP, Map.of(), null, NODES::get));
    }

    @Test
    void shouldForgetChoicesNeverSeenAllocatedAfterItsMemory() {
        ChoiceBook forgetful = new ChoiceBook(Duration.ZERO);
        Map<ActorRef, Integer> stale = Map.of(A, 0, B, 0);
        assertEquals(A, choose(forgetful, A, "s0", stale));
        assertEquals(A, choose(forgetful, A, "s1", stale), "the first choice no longer counts");
    }
}

package org.worldserver.shard.region;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;

/**
 * Chooses a region for a shard being allocated ({@link CellAllocationStrategy}) and remembers the choice until the
 * coordinator's allocations show it, so that allocations under way at once, each given the same stale allocations,
 * spread instead of all picking the same emptiest node. A choice stops counting in a call whose allocations show it
 * (only in that call: a call with an older snapshot may come later) and is forgotten after {@code memory}.
 * Thread-safe: a choice and its record are one step.
 */
final class ChoiceBook {

    /** A shard given to a region, not yet in the coordinator's allocations. */
    private record Choice(ActorRef region, long atNanos) {}

    private final long memoryNanos;
    /** Guarded by this. */
    private final Map<String, Choice> pending = new HashMap<>();

    ChoiceBook(Duration memory) {
        this.memoryNanos = memory.toNanos();
    }

    /**
     * The region for {@code shardId}: the one at {@code placedAt} when that node runs a region, else, as Pekko's
     * least-shard allocation does but by capacity, a region on an Up member before one on a member leaving or downed,
     * then the one with the fewest shards per unit of its node's capacity once it takes this one (counting the choices
     * under way), then the requester among equals, then the lowest address (so the choice is repeatable). With equal
     * capacities, that is the fewest shards.
     *
     * @param counts each region with the number of shards the coordinator has allocated to it
     * @param allocated every shard the coordinator has allocated (their choices are done)
     * @param up the addresses of the members that are Up
     * @param capacities the nodes' capacities as they report them ({@link NodeCapacities}); a node not in it counts as
     *     the mean of those that are, and with none known all count alike
     * @param addressOf the node a region runs on
     */
    synchronized ActorRef choose(
            ActorRef requester,
            String shardId,
            Map<ActorRef, Integer> counts,
            Set<String> allocated,
            Set<Address> up,
            Map<Address, Double> capacities,
            Address placedAt,
            Function<ActorRef, Address> addressOf) {
        long now = System.nanoTime();
        pending.values().removeIf(c -> now - c.atNanos() >= memoryNanos);
        ActorRef region = placedAt == null ? null : regionAt(placedAt, counts, addressOf);
        if (region == null) {
            Map<ActorRef, Integer> all = new HashMap<>(counts);
            pending.forEach((shard, c) -> {
                if (!shard.equals(shardId) && !allocated.contains(shard)) {
                    all.computeIfPresent(c.region(), (r, n) -> n + 1);
                }
            });
            double typical = capacities.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .average()
                    .orElse(1);
            region = all.entrySet().stream()
                    .min(Comparator.<Map.Entry<ActorRef, Integer>, Boolean>comparing(
                                    e -> !up.contains(addressOf.apply(e.getKey())))
                            .thenComparingDouble(e ->
                                    (e.getValue() + 1) / capacities.getOrDefault(addressOf.apply(e.getKey()), typical))
                            .thenComparing(e -> !e.getKey().equals(requester))
                            .thenComparing(e -> addressOf.apply(e.getKey()).toString()))
                    .map(Map.Entry::getKey)
                    .orElse(requester);
        }
        if (!allocated.contains(shardId)) {
            pending.put(shardId, new Choice(region, now));
        }
        return region;
    }

    private static ActorRef regionAt(
            Address placedAt, Map<ActorRef, Integer> regions, Function<ActorRef, Address> addressOf) {
        for (ActorRef region : regions.keySet()) {
            if (addressOf.apply(region).equals(placedAt)) {
                return region;
            }
        }
        return null;
    }
}

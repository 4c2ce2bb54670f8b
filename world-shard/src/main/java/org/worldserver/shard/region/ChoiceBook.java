package org.worldserver.shard.region;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;

/**
 * Chooses a region for a shard being allocated ({@link CellAllocationStrategy}) and remembers the choice until the
 * coordinator's allocations show it, so that allocations under way at once, each given the same stale allocations,
 * spread instead of all picking the same emptiest node. A choice not seen allocated within {@code memory} is
 * forgotten (its region died, or the coordinator dropped it). Thread-safe: a choice and its record are one step.
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
     * The region for {@code shardId}: the one at {@code placedAt} when that node runs a region, else the region with
     * the fewest shards, counting the choices under way (the requester among equals, then the lowest address, so the
     * choice is repeatable).
     *
     * @param counts each region with the number of shards the coordinator has allocated to it
     * @param allocated every shard the coordinator has allocated (their choices are done)
     * @param self this node's address (a region on this node has a local actor path, without host and port)
     */
    synchronized ActorRef choose(
            ActorRef requester,
            String shardId,
            Map<ActorRef, Integer> counts,
            Set<String> allocated,
            Address placedAt,
            Address self) {
        long now = System.nanoTime();
        pending.entrySet()
                .removeIf(e ->
                        allocated.contains(e.getKey()) || now - e.getValue().atNanos() >= memoryNanos);
        ActorRef region = placedAt == null ? null : regionAt(placedAt, counts, self);
        if (region == null) {
            Map<ActorRef, Integer> all = new HashMap<>(counts);
            pending.forEach((shard, c) -> {
                if (!shard.equals(shardId)) {
                    all.computeIfPresent(c.region(), (r, n) -> n + 1);
                }
            });
            region = all.entrySet().stream()
                    .min(Comparator.<Map.Entry<ActorRef, Integer>>comparingInt(Map.Entry::getValue)
                            .thenComparing(e -> !e.getKey().equals(requester))
                            .thenComparing(e -> addressOf(e.getKey(), self).toString()))
                    .map(Map.Entry::getKey)
                    .orElse(requester);
        }
        if (!allocated.contains(shardId)) {
            pending.put(shardId, new Choice(region, now));
        }
        return region;
    }

    private static ActorRef regionAt(Address placedAt, Map<ActorRef, Integer> regions, Address self) {
        for (ActorRef region : regions.keySet()) {
            if (addressOf(region, self).equals(placedAt)) {
                return region;
            }
        }
        return null;
    }

    private static Address addressOf(ActorRef region, Address self) {
        Address address = region.path().address();
        return address.hasLocalScope() ? self : address;
    }
}

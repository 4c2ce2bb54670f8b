package org.worldserver.shard.region;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.external.ShardLocations;
import org.apache.pekko.util.Timeout;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Where the shards of cells run with {@code world.rebalancer.strategy = attention}: where the re-balancer placed a
 * shard (Pekko's external shard allocation, which also moves a shard whose location changes); a shard it never
 * placed, or placed on a node that has left, goes to the node running the fewest shards, as Pekko's default
 * allocation would. (Pekko's external strategy alone gives such a shard to the node that first asks for it: a region
 * whose players all enter through one gateway would start on that one node, and after a node dies its shards would
 * all go to the first survivor to ask.)
 *
 * <p>Called by the shard coordinator; {@link #allocateShard} reads the locations through the external allocation
 * client (a replicated-data read) and completes on its thread. Several allocations may be under way at once (a
 * region's shards asked for together), each seeing the coordinator's allocations without the others: so a choice
 * counts on its node until the coordinator's allocations show it (or for {@link #CHOICE_MEMORY}), or every new shard
 * would go to the same emptiest node. Shard moves are the superclass's {@link #rebalance}. Thread-safe.
 */
public final class CellAllocationStrategy extends ExternalShardAllocationStrategy {

    /** How long a choice counts on its node while the coordinator's allocations do not show it yet. */
    static final Duration CHOICE_MEMORY = Duration.ofSeconds(10);

    /** A shard given to a region, not yet in the coordinator's allocations. */
    private record Choice(ActorRef region, long atNanos) {}

    private final ActorSystem<?> system;
    private final String typeName;
    /** Guarded by itself. */
    private final Map<String, Choice> choices = new HashMap<>();

    public CellAllocationStrategy(ActorSystem<?> system, String typeName, Timeout timeout) {
        super(system, typeName, timeout);
        this.system = system;
        this.typeName = typeName;
    }

    @Override
    public Future<ActorRef> allocateShard(
            ActorRef requester, String shardId, scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current) {
        Map<ActorRef, Integer> counts = new HashMap<>();
        Set<String> allocated = new HashSet<>();
        CollectionConverters.asJava(current).forEach((region, shards) -> {
            counts.put(region, shards.size());
            allocated.addAll(CollectionConverters.asJava(shards));
        });
        Address self = Cluster.get(system.classicSystem()).selfAddress();
        CompletionStage<ActorRef> choice = ExternalShardAllocation.get(system)
                .getClient(typeName)
                .getShardLocations()
                .thenApply(locations -> placed(locations, shardId))
                .exceptionally(unreadable -> null) // as if never placed: the emptiest node
                .thenApply(placedAt -> remember(
                        shardId, allocated, choose(requester, withChoices(counts, allocated), placedAt, self)));
        return FutureConverters.asScala(choice);
    }

    private static Address placed(ShardLocations locations, String shardId) {
        ExternalShardAllocationStrategy.ShardLocation location =
                locations.getShardLocations().get(shardId);
        return location == null ? null : location.address();
    }

    /** {@code counts} plus the choices under way (forgetting those now allocated, or too old). */
    private Map<ActorRef, Integer> withChoices(Map<ActorRef, Integer> counts, Set<String> allocated) {
        long now = System.nanoTime();
        Map<ActorRef, Integer> all = new HashMap<>(counts);
        synchronized (choices) {
            choices.entrySet()
                    .removeIf(e ->
                            allocated.contains(e.getKey()) || now - e.getValue().atNanos() > CHOICE_MEMORY.toNanos());
            choices.values().forEach(c -> all.computeIfPresent(c.region(), (r, n) -> n + 1));
        }
        return all;
    }

    private ActorRef remember(String shardId, Set<String> allocated, ActorRef region) {
        if (!allocated.contains(shardId)) {
            synchronized (choices) {
                choices.put(shardId, new Choice(region, System.nanoTime()));
            }
        }
        return region;
    }

    /**
     * The region for a shard: the one at {@code placedAt} when that node runs a region, else the region with the
     * fewest shards (the requester among equals, then the lowest address, so the choice is repeatable).
     *
     * @param shards each region with the shards it runs (or has been given)
     * @param self this node's address (a region on this node has a local actor path, without host and port)
     */
    static ActorRef choose(ActorRef requester, Map<ActorRef, Integer> shards, Address placedAt, Address self) {
        if (placedAt != null) {
            for (ActorRef region : shards.keySet()) {
                if (addressOf(region, self).equals(placedAt)) {
                    return region;
                }
            }
        }
        return shards.entrySet().stream()
                .min(Comparator.<Map.Entry<ActorRef, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(e -> !e.getKey().equals(requester))
                        .thenComparing(e -> addressOf(e.getKey(), self).toString()))
                .map(Map.Entry::getKey)
                .orElse(requester);
    }

    private static Address addressOf(ActorRef region, Address self) {
        Address address = region.path().address();
        return address.hasLocalScope() ? self : address;
    }
}

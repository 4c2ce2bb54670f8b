package org.worldserver.shard.region;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy$;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.util.Timeout;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Where the shards of cells run with {@code world.rebalancer.strategy = attention}: where the re-balancer placed a
 * shard (Pekko's external shard allocation, which also moves a shard whose location changes); a shard it never placed,
 * or placed on a node that has left, goes to the Up node running the fewest shards per unit of its capacity ({@link
 * NodeCapacities}): with equal nodes, the fewest shards, as Pekko's default allocation would. (Pekko's external
 * strategy alone gives such a shard to the node that first asks for it: a region whose players all enter through one
 * gateway would start on that one node, and after a node dies its shards would all go to the first survivor to ask.)
 *
 * <p>Called by the shard coordinator. {@link #allocateShard} reads the locations and the capacities from this node's
 * replicas of the external allocation's and {@link NodeCapacities}' replicated data (a local read, as the superclass's
 * own moves see them: no wait on other nodes, even while one is unreachable) and completes on the replicator's answer.
 * Several allocations may be under way at once (a region's shards asked for together), each seeing the coordinator's
 * allocations without the others: {@link ChoiceBook} counts each choice on its node until the coordinator's allocations
 * show it. Shard moves are the superclass's {@link #rebalance}. Thread-safe.
 */
public final class CellAllocationStrategy extends ExternalShardAllocationStrategy {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

    private final ActorSystem<?> system;
    private final LWWMapKey<String, String> key;
    private final ChoiceBook choices = new ChoiceBook(Duration.ofSeconds(10));

    public CellAllocationStrategy(ActorSystem<?> system, String typeName, Timeout timeout) {
        super(system, typeName, timeout);
        this.system = system;
        this.key = ExternalShardAllocationStrategy$.MODULE$.ddataKey(typeName);
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
        Cluster cluster = Cluster.get(system.classicSystem());
        Address self = cluster.selfAddress();
        Set<Address> up = new HashSet<>();
        cluster.state().getMembers().forEach(m -> {
            if (m.status() == MemberStatus.up()) {
                up.add(m.address());
            }
        });
        CompletionStage<Map<Address, Double>> capacities =
                NodeCapacities.read(system).exceptionally(unreadable -> Map.of()); // all alike
        CompletionStage<ActorRef> choice = location(shardId)
                .exceptionally(unreadable -> null) // as if never placed: the emptiest node
                .thenCombine(
                        capacities,
                        (placedAt, sizes) -> choices.choose(
                                requester,
                                shardId,
                                counts,
                                allocated,
                                up,
                                sizes,
                                placedAt,
                                region -> addressOf(region, self)));
        return FutureConverters.asScala(choice);
    }

    /** The node a region runs on: a region on this node has a local actor path, without host and port. */
    private static Address addressOf(ActorRef region, Address self) {
        Address address = region.path().address();
        return address.hasLocalScope() ? self : address;
    }

    /** Where the re-balancer placed {@code shardId}, from this node's replica; null if nowhere. */
    @SuppressWarnings("unchecked")
    private CompletionStage<Address> location(String shardId) {
        ActorRef replicator = DistributedData.get(system.classicSystem()).replicator();
        return Patterns.ask(replicator, new Replicator.Get<>(key, Replicator.readLocal()), READ_TIMEOUT)
                .thenApply(answer -> {
                    if (answer instanceof Replicator.GetSuccess<?> found) {
                        String address = ((LWWMap<String, String>) found.dataValue())
                                .getEntries()
                                .get(shardId);
                        return address == null ? null : AddressFromURIString.parse(address);
                    }
                    return null; // NotFound: nothing placed yet
                });
    }
}

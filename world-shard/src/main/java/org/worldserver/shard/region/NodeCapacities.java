package org.worldserver.shard.region;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.pattern.Patterns;

/**
 * Every node's capacity (world.rebalancer.node-capacity, measured with {@code auto}), in a replicated map by node
 * address, so that whichever node runs the shard coordinator can place new shards by capacity
 * ({@link CellAllocationStrategy}). Each node writes its own entry (its telemetry reporter, when the value changes);
 * an entry of a node that left stays, harmless, since only Up nodes are chosen. Values are decimal text (the
 * replicator's serializers carry strings). Reads are from this node's replica. Thread-safe.
 */
public final class NodeCapacities {

    private static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("world-node-capacities");
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

    private NodeCapacities() {}

    /** Publishes this node's capacity (local write; gossip spreads it). Fire and forget. */
    public static void publish(ActorSystem<?> system, Address node, double capacity) {
        DistributedData ddata = DistributedData.get(system.classicSystem());
        ddata.replicator()
                .tell(
                        new Replicator.Update<LWWMap<String, String>>(
                                KEY,
                                LWWMap.empty(),
                                Replicator.writeLocal(),
                                map -> map.put(ddata.selfUniqueAddress(), node.toString(), Double.toString(capacity))),
                        Adapter.toClassic(system.ignoreRef())); // the replicator's UpdateSuccess: not needed
    }

    /** The capacities this node's replica knows; empty when none (or unreadable). */
    @SuppressWarnings("unchecked")
    static CompletionStage<Map<Address, Double>> read(ActorSystem<?> system) {
        ActorRef replicator = DistributedData.get(system.classicSystem()).replicator();
        return Patterns.ask(replicator, new Replicator.Get<>(KEY, Replicator.readLocal()), READ_TIMEOUT)
                .thenApply(answer -> {
                    Map<Address, Double> capacities = new HashMap<>();
                    if (answer instanceof Replicator.GetSuccess<?> found) {
                        ((LWWMap<String, String>) found.dataValue())
                                .getEntries()
                                .forEach((node, value) ->
                                        capacities.put(AddressFromURIString.parse(node), Double.parseDouble(value)));
                    }
                    return capacities;
                });
    }
}

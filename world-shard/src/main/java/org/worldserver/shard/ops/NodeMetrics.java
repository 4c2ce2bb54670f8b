package org.worldserver.shard.ops;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's Prometheus registry, served at {@code /metrics}: JVM metrics, the actor system's cluster view,
 * and the project's own counters, which modules register here as they appear ({@link #registry()}).
 *
 * <p>One registry per ActorSystem (not the process-wide default), so several nodes in one test JVM do not
 * collide. Gauges read the cluster state on scrape; Cluster's state is safe to read from any thread.
 */
public final class NodeMetrics implements Extension {

    private static final ExtensionId<NodeMetrics> ID = new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
            return new NodeMetrics(system);
        }
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private NodeMetrics(ActorSystem<?> system) {
        JvmMetrics.builder().register(registry);
        Cluster cluster = Cluster.get(system);
        long startedMillis = system.startTime();
        String version = BuildInfo.version();

        GaugeWithCallback.builder()
                .name("world_node_info")
                .help("Constant 1, labelled with this node's build version and cluster address")
                .labelNames("version", "address")
                .callback(
                        cb -> cb.call(1, version, cluster.selfMember().address().toString()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_node_uptime_seconds")
                .help("Seconds since this node's actor system started")
                .callback(cb -> cb.call((System.currentTimeMillis() - startedMillis) / 1000.0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_members")
                .help("Cluster members as seen by this node, by member status")
                .labelNames("status")
                .callback(cb -> countByStatus(cluster.state()).forEach((status, n) -> cb.call(n, status.toString())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_unreachable_members")
                .help("Members this node's failure detector currently considers unreachable")
                .callback(cb -> cb.call(cluster.state().getUnreachable().size()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_self_up")
                .help("1 when this node's own member status is Up, else 0")
                .callback(cb -> cb.call(cluster.selfMember().status() == MemberStatus.up() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("world_cluster_is_leader")
                .help("1 when this node is the cluster leader, else 0")
                .callback(cb -> cb.call(
                        cluster.selfMember().address().equals(cluster.state().getLeader()) ? 1 : 0))
                .register(registry);
    }

    public static NodeMetrics get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The registry to add a module's own metrics to. Thread-safe. */
    public PrometheusRegistry registry() {
        return registry;
    }

    private static Map<MemberStatus, Integer> countByStatus(ClusterEvent.CurrentClusterState state) {
        Map<MemberStatus, Integer> counts = new java.util.HashMap<>();
        for (Member member : state.getMembers()) {
            counts.merge(member.status(), 1, Integer::sum);
        }
        return counts;
    }
}

package org.worldserver.shard.rebalance;

import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.worldserver.shard.ops.JsonReplies;

/**
 * The re-balancer's view, from any node (asked of the singleton):
 *
 * <pre>
 * GET /attention/shards      {"strategy", "model", "decisions", "moves", "nodes": [{node, latest, weight}],
 *                             "shards": [{shard, node, latest, importance}]}
 * GET /attention/decisions   {"strategy", "decisions": [newest first: importance, weights before and after, spreads,
 *                             moves with gain and cost, reason]}
 * GET /attention/telemetry   {"shards": [every shard's intervals, oldest first], "nodes": [each node's latest]}:
 *                             what `bin/world attention record` appends to a recording
 * </pre>
 */
public final class RebalanceRoutes extends AllDirectives implements ManagementRouteProvider {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorSystem<?> system;

    public RebalanceRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> get(() -> pathPrefix(
                "attention",
                () -> concat(
                        path("shards", () -> answer(ShardRebalancer.GetShards::new)),
                        path("decisions", () -> answer(ShardRebalancer.GetDecisions::new)),
                        path("telemetry", () -> answer(ShardRebalancer.GetTelemetry::new))))));
    }

    /** The singleton's answer to {@code query}, as JSON. */
    private <T> Route answer(Function<ActorRef<T>, ShardRebalancer.Command> query) {
        return onSuccess(
                AskPattern.ask(rebalancer(), query::apply, ASK_TIMEOUT, system.scheduler()), JsonReplies::json);
    }

    private ActorRef<ShardRebalancer.Command> rebalancer() {
        return ShardRebalancer.proxy(system);
    }
}

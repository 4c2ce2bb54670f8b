package org.worldserver.shard.rebalance;

import java.time.Duration;
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
                        path(
                                "shards",
                                () -> onSuccess(
                                        AskPattern.ask(
                                                rebalancer(),
                                                ShardRebalancer.GetShards::new,
                                                ASK_TIMEOUT,
                                                system.scheduler()),
                                        JsonReplies::json)),
                        path(
                                "decisions",
                                () -> onSuccess(
                                        AskPattern.ask(
                                                rebalancer(),
                                                ShardRebalancer.GetDecisions::new,
                                                ASK_TIMEOUT,
                                                system.scheduler()),
                                        JsonReplies::json))))));
    }

    private ActorRef<ShardRebalancer.Command> rebalancer() {
        return ShardRebalancer.proxy(system);
    }
}

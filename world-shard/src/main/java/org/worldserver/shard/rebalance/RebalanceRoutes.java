package org.worldserver.shard.rebalance;

import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.shard.ops.EntityRoutes;
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
 * POST /attention/shards/{shard}/location  {"node": "pekko://world@HOST:PORT"}: an operator moves one shard
 *                             (strategy attention): 202 {shard, from, to} once its location is stored; the shard
 *                             coordinator moves it at its next rebalance round (10 s). 404 shard-unknown or
 *                             node-unknown, 409 placement-not-external, 400 move-invalid or body-invalid, 503
 *                             world-busy
 * </pre>
 */
public final class RebalanceRoutes extends EntityRoutes implements ManagementRouteProvider {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorSystem<?> system;

    public RebalanceRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> pathPrefix(
                "attention",
                () -> concat(
                        get(() -> concat(
                                path("shards", () -> view(ShardRebalancer.GetShards::new)),
                                path("decisions", () -> view(ShardRebalancer.GetDecisions::new)),
                                path("telemetry", () -> view(ShardRebalancer.GetTelemetry::new)))),
                        post(() -> path(
                                PathMatchers.segment("shards")
                                        .slash(PathMatchers.segment())
                                        .slash("location"),
                                shard -> body(b -> b.path("node").isTextual()
                                        ? answer(
                                                AskPattern.ask(
                                                        rebalancer(),
                                                        (ActorRef<StatusReply<ShardRebalancer.ShardMoved>> r) ->
                                                                new ShardRebalancer.MoveShard(
                                                                        shard,
                                                                        b.get("node")
                                                                                .asText(),
                                                                        r),
                                                        ASK_TIMEOUT,
                                                        system.scheduler()),
                                                StatusCodes.ACCEPTED)
                                        : JsonReplies.error(
                                                StatusCodes.BAD_REQUEST,
                                                "move-invalid",
                                                "expected {\"node\": \"pekko://world@HOST:PORT\"}")))))));
    }

    /** The singleton's answer to {@code query}, as JSON. */
    private <T> Route view(Function<ActorRef<T>, ShardRebalancer.Command> query) {
        return onSuccess(
                AskPattern.ask(rebalancer(), query::apply, ASK_TIMEOUT, system.scheduler()), JsonReplies::json);
    }

    private ActorRef<ShardRebalancer.Command> rebalancer() {
        return ShardRebalancer.proxy(system);
    }
}

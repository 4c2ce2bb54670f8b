package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.Patterns;

/**
 * Where Cluster Sharding runs entities on this node, for operators and for the multi-node tests (which check that no
 * entity runs on two nodes at once).
 *
 * <pre>
 * GET /shards          {"node", "types": [{"type", "shards", "entities"}]}   every entity type started on this node
 * GET /shards/{type}   {"node", "type", "shards": [{"id", "entities": [ids]}]}   404 shard-type-unknown
 * </pre>
 *
 * Pekko Management's {@code /cluster/shards/{type}} gives counts only; this gives the entity ids. Handlers run on
 * the HTTP server's threads and ask the local shard region.
 */
public final class ShardRoutes extends AllDirectives implements ManagementRouteProvider {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    /** One shard on this node with the entities running in it. */
    public record ShardEntities(String id, List<String> entities) {}

    public record TypeView(String node, String type, List<ShardEntities> shards) {}

    public record TypeCount(String type, int shards, int entities) {}

    public record NodeView(String node, List<TypeCount> types) {}

    private final ExtendedActorSystem system;

    public ShardRoutes(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> get(() -> pathPrefix(
                "shards",
                () -> concat(
                        pathEndOrSingleSlash(() -> onSuccess(all(), JsonReplies::json)),
                        path(PathMatchers.segment(), this::type)))));
    }

    private Route type(String type) {
        if (!ClusterSharding.get(system).getShardTypeNames().contains(type)) {
            return error(StatusCodes.NOT_FOUND, "shard-type-unknown", "no entity type " + type + " on this node");
        }
        return onSuccess(view(type), JsonReplies::json);
    }

    private CompletionStage<NodeView> all() {
        List<String> types =
                new ArrayList<>(new TreeSet<>(ClusterSharding.get(system).getShardTypeNames()));
        List<CompletionStage<TypeView>> views = types.stream().map(this::view).toList();
        CompletionStage<List<TypeCount>> counts = CompletableFuture.completedFuture(List.of());
        for (CompletionStage<TypeView> v : views) {
            counts = counts.thenCombine(v, (list, view) -> {
                List<TypeCount> next = new ArrayList<>(list);
                next.add(new TypeCount(
                        view.type(),
                        view.shards().size(),
                        view.shards().stream()
                                .mapToInt(s -> s.entities().size())
                                .sum()));
                return next;
            });
        }
        return counts.thenApply(list -> new NodeView(self(), list));
    }

    private CompletionStage<TypeView> view(String type) {
        ActorRef region = ClusterSharding.get(system).shardRegion(type);
        return Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), ASK_TIMEOUT)
                .thenApply(reply -> {
                    ShardRegion.CurrentShardRegionState state = (ShardRegion.CurrentShardRegionState) reply;
                    List<ShardEntities> shards = new ArrayList<>();
                    for (ShardRegion.ShardState shard : state.getShards()) {
                        shards.add(
                                new ShardEntities(shard.shardId(), List.copyOf(new TreeSet<>(shard.getEntityIds()))));
                    }
                    shards.sort((a, b) -> a.id().compareTo(b.id()));
                    return new TypeView(self(), type, shards);
                });
    }

    private String self() {
        return Cluster.get(system).selfAddress().toString();
    }
}

package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;
import static org.worldserver.shard.ops.JsonReplies.json;
import static org.worldserver.shard.ops.JsonReplies.toJson;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.avatar.Avatar;
import org.worldserver.avatar.AvatarRejection;
import org.worldserver.shard.attention.RegionAttention;
import org.worldserver.shard.ops.JsonReplies.ErrorBody;
import org.worldserver.shard.region.CellShards;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDefinition;
import org.worldserver.shard.region.RegionRegistry;
import org.worldserver.shard.region.WorldRegions;
import org.worldserver.shard.world.CellTelemetry;

/**
 * Operator endpoints served by Pekko Management next to {@code /alive} and {@code /ready} (port 7626):
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4, from {@link NodeMetrics}.
 *   <li>{@code GET /info}: JSON with the build version, this node's address, roles and status, and every
 *       cluster member with its status, plus the unreachable ones and the leader.
 *   <li>{@code GET /regions}: every region, open or closed, with its definition and, when open, the totals of
 *       its cells. {@code GET /regions/{name}}: the same plus every cell's telemetry (404 {@code
 *       region-not-found}). {@code GET /regions/{name}/attention}: its newest settled attention batches.
 *   <li>{@code POST /regions} with a JSON region (the keys of {@code world.regions}): 201 with the record; 400
 *       {@code region-invalid}; 409 {@code region-exists}.
 *   <li>{@code DELETE /regions/{name}}: closes the region and moves its avatars to the fallback region; 200 with
 *       the cells' counts, 503 {@code region-evacuation-incomplete} when some avatars could not be moved yet
 *       (they stay where they are; repeat the DELETE), 404 {@code region-not-found}, 409 {@code
 *       region-is-fallback}.
 *   <li>{@code GET /avatars/{id}}: the avatar's persistent record and, while it is online, its live cell,
 *       entity id, position and velocity (404 {@code avatar-not-registered}, 400 {@code avatar-invalid-id}).
 * </ul>
 *
 * Loaded by Pekko Management from {@code pekko.management.http.routes}; handlers run on the HTTP server's
 * threads, read thread-safe state (cluster state snapshot, metrics) and ask actors.
 */
public final class OperatorRoutes extends AllDirectives implements ManagementRouteProvider {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);
    private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=UTF-8");

    /** The /info document. */
    public record NodeInfo(
            String version,
            String address,
            List<String> roles,
            String status,
            String leader,
            List<MemberInfo> members,
            List<String> unreachable) {}

    /** One cluster member in /info. */
    public record MemberInfo(String address, String status, List<String> roles, String dataCenter) {}

    private final ActorSystem<?> system;
    private final CellShards shards;
    private final PrometheusTextFormatWriter prometheus = PrometheusTextFormatWriter.create();

    public OperatorRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
        this.shards = CellShards.fromConfig(this.system.settings().config());
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> concat(
                get(() -> concat(
                        path("metrics", () -> complete(HttpEntities.create(PROMETHEUS_TEXT, scrape()))),
                        path("info", () -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, infoJson()))),
                        pathPrefix("avatars", () -> path(PathMatchers.segment(), this::avatar)),
                        pathPrefix(
                                "regions",
                                () -> concat(
                                        pathEndOrSingleSlash(() -> onSuccess(allRegions(), JsonReplies::json)),
                                        path(PathMatchers.segment().slash("attention"), this::regionAttention),
                                        path(PathMatchers.segment(), this::region))))),
                post(() -> pathPrefix(
                        "regions",
                        () -> pathEndOrSingleSlash(() -> entity(Unmarshaller.entityToString(), this::defineRegion)))),
                delete(() -> pathPrefix("regions", () -> path(PathMatchers.segment(), this::closeRegion)))));
    }

    /**
     * A region as the operator API shows it.
     *
     * @param totals sums over the cells (avatars, ghosts, inputs, attention), the worst tick p50/p99 and dilation
     *     of any cell; null for a closed region
     * @param shards the Cluster Sharding shards holding the region's cells, with their cells and totals; null in
     *     the list of all regions
     * @param cells every cell's status; null in the list of all regions
     */
    public record RegionView(
            RegionDefinition definition,
            boolean open,
            String fallback,
            Instant since,
            CellTelemetry totals,
            List<ShardView> shards,
            List<RegionCell.CellStatus> cells) {}

    /** One shard of a region: a block of neighbouring cells that runs on one node and moves as a whole. */
    public record ShardView(String shard, List<String> cells, CellTelemetry totals) {}

    private CompletionStage<List<RegionView>> allRegions() {
        WorldRegions regions = WorldRegions.get(system);
        return regions.catalog().refresh().thenCompose(all -> {
            List<CompletableFuture<RegionView>> views = all.keySet().stream()
                    .map(name -> view(regions, all.get(name), false).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(
                            done -> views.stream().map(CompletableFuture::join).toList());
        });
    }

    private CompletionStage<RegionView> view(WorldRegions regions, RegionRegistry.RegionRecord r, boolean withCells) {
        if (!r.open()) {
            return CompletableFuture.completedFuture(
                    new RegionView(r.definition(), false, r.fallback(), r.since(), null, null, null));
        }
        return regions.status(r.definition().name())
                .thenApply(cells -> new RegionView(
                        r.definition(),
                        true,
                        null,
                        r.since(),
                        cells.map(OperatorRoutes::totals).orElse(null),
                        withCells ? cells.map(this::shards).orElse(null) : null,
                        withCells ? cells.orElse(null) : null));
    }

    /** The cells grouped by shard, in shard order. */
    private List<ShardView> shards(List<RegionCell.CellStatus> cells) {
        Map<String, List<RegionCell.CellStatus>> byShard = new TreeMap<>();
        for (RegionCell.CellStatus c : cells) {
            byShard.computeIfAbsent(shards.shardId(c.cell()), any -> new ArrayList<>())
                    .add(c);
        }
        List<ShardView> views = new ArrayList<>();
        byShard.forEach((shard, members) -> views.add(new ShardView(
                shard, members.stream().map(RegionCell.CellStatus::cell).toList(), totals(members))));
        return views;
    }

    /** See {@link CellTelemetry#combine}. */
    private static CellTelemetry totals(List<RegionCell.CellStatus> cells) {
        return CellTelemetry.combine(
                cells.stream().map(RegionCell.CellStatus::telemetry).toList());
    }

    private Route region(String name) {
        return forKnownRegion(name, record -> view(WorldRegions.get(system), record, true));
    }

    /** The answer about a region the registry knows (open or closed) as JSON, or 404 region-not-found. */
    private <T> Route forKnownRegion(String name, Function<RegionRegistry.RegionRecord, CompletionStage<T>> answer) {
        CompletionStage<Optional<T>> result = WorldRegions.get(system)
                .catalog()
                .refresh()
                .thenCompose(all -> all.containsKey(name)
                        ? answer.apply(all.get(name)).thenApply(Optional::of)
                        : CompletableFuture.completedFuture(Optional.empty()));
        return onSuccess(result, r -> r.map(JsonReplies::json).orElseGet(() -> regionNotFound(name)));
    }

    private Route defineRegion(String body) {
        RegionDefinition definition;
        try {
            definition = RegionDefinition.fromJson(body, system.settings().config());
        } catch (IllegalArgumentException e) {
            return error(StatusCodes.BAD_REQUEST, "region-invalid", e.getMessage());
        }
        return onSuccess(
                WorldRegions.get(system).define(definition),
                reply -> reply.isSuccess()
                        ? complete(
                                StatusCodes.CREATED,
                                HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(reply.getValue())))
                        : errorFromReply(reply.getError().getMessage()));
    }

    /** Evacuation results of one DELETE. */
    public record Closed(String region, String fallback, int moved, int remaining, List<RegionCell.Evacuated> cells) {}

    private Route closeRegion(String name) {
        WorldRegions regions = WorldRegions.get(system);
        return onSuccess(regions.close(name), reply -> {
            if (reply.isError()) {
                return errorFromReply(reply.getError().getMessage());
            }
            List<RegionCell.Evacuated> cells = reply.getValue();
            int moved = cells.stream().mapToInt(RegionCell.Evacuated::moved).sum();
            int remaining =
                    cells.stream().mapToInt(RegionCell.Evacuated::remaining).sum();
            Closed body = new Closed(name, regions.fallbackRegion(), moved, remaining, cells);
            return complete(
                    remaining == 0 ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                    HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)));
        });
    }

    /** Maps a {@code code: message} rejection to its HTTP status. */
    private Route errorFromReply(String message) {
        int colon = message.indexOf(':');
        String code = colon > 0 ? message.substring(0, colon) : "region-error";
        String text = colon > 0 ? message.substring(colon + 1).strip() : message;
        StatusCode status = switch (code) {
            case "region-not-found" -> StatusCodes.NOT_FOUND;
            case "region-exists", "region-is-fallback" -> StatusCodes.CONFLICT;
            case "region-fallback-unavailable" -> StatusCodes.SERVICE_UNAVAILABLE;
            default -> StatusCodes.BAD_REQUEST;
        };
        return error(status, code, text);
    }

    /** The region's newest settled attention batches, newest first (from the RegionAttention journal). */
    private Route regionAttention(String name) {
        return forKnownRegion(
                name,
                record -> ClusterSharding.get(system)
                        .entityRefFor(RegionAttention.ENTITY_KEY, name)
                        .ask(RegionAttention.Recent::new, ASK_TIMEOUT)
                        .thenApply(RegionAttention.RecentBatches::batches));
    }

    /** An avatar's persistent record and, while it is online, its live state. */
    public record AvatarView(Avatar.Summary avatar, RegionCell.Location live) {}

    private Route avatar(String id) {
        if (!Avatar.isValidId(id)) {
            return complete(
                    StatusCodes.BAD_REQUEST,
                    HttpEntities.create(
                            ContentTypes.APPLICATION_JSON,
                            toJson(new ErrorBody(
                                    AvatarRejection.INVALID_ID.code(),
                                    "'" + id + "' is not a well-formed avatar id"))));
        }
        CompletionStage<StatusReply<Avatar.Summary>> record =
                ClusterSharding.get(system).entityRefFor(Avatar.ENTITY_KEY, id).ask(Avatar.Get::new, ASK_TIMEOUT);
        CompletionStage<Object> view = record.thenCompose(reply -> {
            if (reply.isError()) {
                return CompletableFuture.completedFuture(new ErrorBody(
                        AvatarRejection.NOT_REGISTERED.code(), reply.getError().getMessage()));
            }
            Avatar.Summary summary = reply.getValue();
            if (!summary.online()) {
                return CompletableFuture.completedFuture(new AvatarView(summary, null));
            }
            return WorldRegions.get(system)
                    .locate(id, summary.onlineRegion())
                    .<Object>thenApply(loc -> new AvatarView(summary, loc.orElse(null)));
        });
        return onSuccess(
                view,
                body -> body instanceof ErrorBody
                        ? complete(
                                StatusCodes.NOT_FOUND, HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)))
                        : json(body));
    }

    private Route regionNotFound(String name) {
        return error(StatusCodes.NOT_FOUND, "region-not-found", "no region named '" + name + "'");
    }

    private byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            prometheus.write(out, NodeMetrics.get(system).registry().scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private byte[] infoJson() {
        return toJson(info());
    }

    NodeInfo info() {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Member self = cluster.selfMember();
        List<MemberInfo> members = StreamSupport.stream(state.getMembers().spliterator(), false)
                .map(OperatorRoutes::memberInfo)
                .toList();
        List<String> unreachable =
                state.getUnreachable().stream().map(m -> m.address().toString()).toList();
        return new NodeInfo(
                BuildInfo.version(),
                self.address().toString(),
                List.copyOf(self.getRoles()).stream().sorted().toList(),
                self.status().toString(),
                state.getLeader() == null ? null : state.getLeader().toString(),
                members,
                unreachable);
    }

    private static MemberInfo memberInfo(Member m) {
        return new MemberInfo(
                m.address().toString(),
                m.status().toString(),
                m.getRoles().stream().sorted().toList(),
                m.dataCenter());
    }
}

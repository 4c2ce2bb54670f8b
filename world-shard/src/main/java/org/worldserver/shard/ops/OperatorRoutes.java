package org.worldserver.shard.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.avatar.Avatar;
import org.worldserver.avatar.AvatarRejection;
import org.worldserver.shard.attention.RegionAttention;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionDirectory;

/**
 * Operator endpoints served by Pekko Management next to {@code /alive} and {@code /ready} (port 7626):
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4, from {@link NodeMetrics}.
 *   <li>{@code GET /info}: JSON with the build version, this node's address, roles and status, and every
 *       cluster member with its status, plus the unreachable ones and the leader.
 *   <li>{@code GET /regions}, {@code GET /regions/{name}}: each region's definition and live telemetry (404 with
 *       {@code region-not-found} for an unknown name); {@code GET /regions/{name}/attention}: its newest settled
 *       attention batches.
 *   <li>{@code GET /avatars/{id}}: the avatar's persistent record and, while it is in a region of this node, its
 *       live entity id, position and velocity (404 {@code avatar-not-registered}, 400 {@code avatar-invalid-id}).
 * </ul>
 *
 * Loaded by Pekko Management from {@code pekko.management.http.routes}; handlers run on the HTTP server's
 * threads and only read thread-safe state (cluster state snapshot, the registry).
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
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private final PrometheusTextFormatWriter prometheus = PrometheusTextFormatWriter.create();

    public OperatorRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return get(() -> concat(
                path("metrics", () -> complete(HttpEntities.create(PROMETHEUS_TEXT, scrape()))),
                path("info", () -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, infoJson()))),
                pathPrefix("avatars", () -> path(PathMatchers.segment(), this::avatar)),
                pathPrefix(
                        "regions",
                        () -> concat(
                                pathEndOrSingleSlash(() -> onSuccess(allRegions(), this::json)),
                                path(PathMatchers.segment().slash("attention"), this::regionAttention),
                                path(PathMatchers.segment(), this::region)))));
    }

    private CompletionStage<List<RegionCell.RegionStatus>> allRegions() {
        List<CompletableFuture<RegionCell.RegionStatus>> asks = RegionDirectory.get(system).all().values().stream()
                .sorted(Comparator.comparing(e -> e.definition().name()))
                .map(e -> status(e).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
    }

    private Route region(String name) {
        return RegionDirectory.get(system)
                .find(name)
                .<Route>map(entry -> onSuccess(status(entry), this::json))
                .orElseGet(() -> regionNotFound(name));
    }

    /** The region's newest settled attention batches, newest first (from the RegionAttention journal). */
    private Route regionAttention(String name) {
        if (RegionDirectory.get(system).find(name).isEmpty()) {
            return regionNotFound(name);
        }
        CompletionStage<RegionAttention.RecentBatches> recent = ClusterSharding.get(system)
                .entityRefFor(RegionAttention.ENTITY_KEY, name)
                .ask(RegionAttention.Recent::new, ASK_TIMEOUT);
        return onSuccess(recent, r -> json(r.batches()));
    }

    /** An avatar's persistent record and, while it is in a region of this node, its live state. */
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
            return RegionDirectory.get(system)
                    .find(summary.onlineRegion())
                    .map(entry -> AskPattern.<RegionCell.Command, RegionCell.Location>ask(
                                    entry.actor(), r -> new RegionCell.Locate(id, r), ASK_TIMEOUT, system.scheduler())
                            .<Object>thenApply(loc -> new AvatarView(summary, loc.present() ? loc : null)))
                    .orElseGet(() -> CompletableFuture.completedFuture(new AvatarView(summary, null)));
        });
        return onSuccess(
                view,
                body -> body instanceof ErrorBody
                        ? complete(
                                StatusCodes.NOT_FOUND, HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)))
                        : json(body));
    }

    private Route regionNotFound(String name) {
        return complete(
                StatusCodes.NOT_FOUND,
                HttpEntities.create(
                        ContentTypes.APPLICATION_JSON,
                        toJson(new ErrorBody("region-not-found", "no region named '" + name + "' on this node"))));
    }

    private CompletionStage<RegionCell.RegionStatus> status(RegionDirectory.Entry entry) {
        return AskPattern.ask(entry.actor(), RegionCell.GetStatus::new, ASK_TIMEOUT, system.scheduler());
    }

    private Route json(Object body) {
        return complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(body)));
    }

    /** An error answer: a stable code and a human message. */
    public record ErrorBody(String error, String message) {}

    private byte[] toJson(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

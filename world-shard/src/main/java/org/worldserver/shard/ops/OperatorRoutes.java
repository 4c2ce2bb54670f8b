package org.worldserver.shard.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final PrometheusTextFormatWriter prometheus = PrometheusTextFormatWriter.create();

    public OperatorRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return get(() -> concat(
                path("metrics", () -> complete(HttpEntities.create(PROMETHEUS_TEXT, scrape()))),
                path("info", () -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, infoJson()))),
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

package org.worldserver.shard.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Operator endpoints served by Pekko Management next to {@code /alive} and {@code /ready} (port 7626):
 *
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4, from {@link NodeMetrics}.
 *   <li>{@code GET /info}: JSON with the build version, this node's address, roles and status, and every
 *       cluster member with its status, plus the unreachable ones and the leader.
 * </ul>
 *
 * Loaded by Pekko Management from {@code pekko.management.http.routes}; handlers run on the HTTP server's
 * threads and only read thread-safe state (cluster state snapshot, the registry).
 */
public final class OperatorRoutes extends AllDirectives implements ManagementRouteProvider {

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
                path("info", () -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, infoJson())))));
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
        try {
            return json.writeValueAsBytes(info());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

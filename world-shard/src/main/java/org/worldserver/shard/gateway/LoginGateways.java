package org.worldserver.shard.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.worldserver.avatar.Avatar;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.WorldRegions;

/**
 * Which gateway a login is sent to ({@code POST /sessions}). A returning avatar, which enters where it left the world
 * ({@link WorldPlacement#entryOf}), is sent to the gateway of the node that runs that place's cell, so its session
 * starts where its cell runs instead of being handed off there ({@link SessionHandoffs}) seconds after it opened;
 * the cell is asked which node it runs on (which starts it if it does not run yet, as the join would). Everything
 * else gets this node's own gateway:
 * <ul>
 *   <li>an avatar entering at a spawn point: every new player appears there, and sending all their sessions to the
 *       one node running it put a login burst's every handshake on one gateway (measured: logins took 40 % longer,
 *       and 72 handshakes of 120 bots were denied or timed out, docs/benchmarks.md), while the nodes that answered
 *       the logins spread them as the operator's load balancer does;
 *   <li>a returning avatar whose place is in the cell of its region's spawn point (the same burst, the next day);
 *   <li>no answer within {@link #ASK}, a cell that is closing, a node that has published no gateway, or one whose
 *       gateway takes tokens under another key (a key rotation under way: its gateway would refuse them);
 *   <li>{@code world.gateway.handoff.at-login} off, or handoffs off (a token signed here is good at another node's
 *       gateway only when the nodes share their token key, which handoffs need too).
 * </ul>
 * Thread-safe; asynchronous.
 */
public final class LoginGateways {

    /** How long a login waits for the choice (and the cell's answer) before it takes this node's gateway. */
    static final Duration ASK = Duration.ofSeconds(1);

    /** A gateway as a login grant names it: the host and UDP port to send to, and the port replies come from. */
    public record Endpoint(String host, int port, int replyPort) {}

    private final ActorSystem<?> system;
    private final GatewaySettings settings;
    private final Endpoint own;

    public LoginGateways(ActorSystem<?> system) {
        this.system = system;
        this.settings = GatewaySettings.get(system);
        this.own = new Endpoint(
                settings.publicHost(),
                settings.port(),
                system.settings().config().getInt("world.gateway.reply-port"));
    }

    /**
     * The gateway {@code avatar}'s login is to connect to, within {@link #ASK}; never fails (this node's gateway
     * instead).
     */
    public CompletionStage<Endpoint> forLogin(Avatar.Summary avatar) {
        if (!settings.loginsAtCellNode()) {
            return CompletableFuture.completedFuture(own);
        }
        String self = system.address().toString();
        SessionStreams streams = SessionStreams.get(system);
        return CompletableFuture.completedFuture(system)
                .thenCompose(
                        s -> { // inside the stage: a throw falls back like any failure
                            WorldRegions regions = WorldRegions.get(s);
                            return WorldPlacement.entryOf(regions, avatar)
                                    .thenCompose(entry -> entry.atSpawn()
                                            ? CompletableFuture.completedFuture(Optional.<RegionCell.CellStatus>empty())
                                            : regions.statusAt(entry.region(), entry.x(), entry.z(), ASK));
                        })
                .thenApply(status -> status.filter(cell -> !cell.closed())
                        .map(cell -> cell.node().equals(self)
                                ? own
                                : endpointOf(streams.gatewayOfNode(cell.node()), settings.keyId(), own))
                        .orElse(own))
                .completeOnTimeout(own, ASK.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(failure -> own);
    }

    /**
     * The endpoint of a published gateway address ({@code host:port} each) that accepts tokens under the key
     * {@code keyId}; {@code own} if there is none, it has another key, or it is not host and port.
     */
    static Endpoint endpointOf(SessionHandoffs.GatewayAddress address, String keyId, Endpoint own) {
        if (address == null || !keyId.equals(address.keyId())) {
            return own;
        }
        int endpointColon = address.endpoint().lastIndexOf(':');
        int replyColon = address.replyControl().lastIndexOf(':');
        try {
            return new Endpoint(
                    address.endpoint().substring(0, endpointColon),
                    Integer.parseInt(address.endpoint().substring(endpointColon + 1)),
                    Integer.parseInt(address.replyControl().substring(replyColon + 1)));
        } catch (RuntimeException notHostAndPort) {
            return own;
        }
    }
}

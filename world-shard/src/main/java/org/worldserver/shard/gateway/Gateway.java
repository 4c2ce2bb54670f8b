package org.worldserver.shard.gateway;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.agrona.concurrent.AgentRunner;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.worldserver.shard.ops.NodeMetrics;

/**
 * The node's UDP gateway, as {@code world.gateway} configures it: the embedded media driver (its directory named
 * after the node's cluster port), an Aeron client, and the {@link GatewayAgent} on a thread of its own, placing
 * avatars through {@link WorldPlacement}. Started once the regions are defined; stopped by CoordinatedShutdown.
 */
public final class Gateway implements AutoCloseable {

    /** How long a handshake cookie is accepted: the client answers a Challenge within one round trip. */
    private static final long COOKIE_LIFETIME_MILLIS = 10_000;

    private final GatewayDriver driver;
    private final Aeron aeron;
    private final GatewayAgent agent;
    private final AgentRunner runner;

    private Gateway(GatewayDriver driver, Aeron aeron, GatewayAgent agent, AgentRunner runner) {
        this.driver = driver;
        this.aeron = aeron;
        this.agent = agent;
        this.runner = runner;
    }

    public static Gateway start(ActorSystem<?> system) {
        Config c = system.settings().config().getConfig("world.gateway");
        GatewaySettings settings = GatewaySettings.get(system);
        int nodePort = Cluster.get(system).selfMember().address().port().getOrElse(() -> 0);
        GatewayDriver driver =
                GatewayDriver.launch(c.getConfig("driver"), GatewayDriver.defaultDirectory("node-" + nodePort));
        Aeron aeron = null;
        try {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory()));
            String host = c.getString("bind-host");
            // As clients reach it, and other gateways name it in a Redirect (its handoff tokens are bound to it).
            String publicEndpoint = settings.publicHost() + ":" + settings.port();
            int tickHz = system.settings().config().getInt("world.region-defaults.tick-hz");
            SessionStreams streams = SessionStreams.get(system);
            InputBatches batches = new InputBatches(
                    c.getDuration("input-batch-window", TimeUnit.NANOSECONDS), c.getInt("input-batch-max"));
            GatewayAgent agent = new GatewayAgent(
                    aeron,
                    new GatewayAgent.Settings(
                            host + ":" + settings.port(),
                            host + ":" + c.getInt("reply-port"),
                            1,
                            2,
                            c.getConfig("driver").getInt("term-length"),
                            c.getInt("session-capacity"),
                            c.getInt("inputs-per-second"),
                            c.getInt("snapshot-views"),
                            (int) Math.max(1, c.getDuration("crossing-grace").toMillis() * tickHz / 1000),
                            c.getDuration("idle-timeout", TimeUnit.NANOSECONDS),
                            tickHz,
                            settings.handoffs(),
                            settings.tokenTtl().toMillis()),
                    new GatewayHandshake(
                            settings.tokenKey(),
                            publicEndpoint,
                            new ChallengeCookies(settings.tokenKey(), COOKIE_LIFETIME_MILLIS),
                            new TokenNonces(c.getInt("session-capacity") * 2),
                            System::currentTimeMillis),
                    new WorldPlacement(system, streams, batches),
                    streams);
            AgentRunner runner = new AgentRunner(
                    GatewayDriver.idleStrategy(c.getConfig("driver").getString("idle-strategy")),
                    error -> system.log().error("Gateway error", error),
                    null,
                    agent);
            AgentRunner.startOnThread(runner);
            streams.gatewayStarted(new SessionHandoffs.GatewayAddress(
                    publicEndpoint, settings.publicHost() + ":" + c.getInt("reply-port"), settings.keyId()));
            registerMetrics(system, agent, streams.counters(), batches);
            system.log()
                    .info(
                            "UDP gateway listening on {} (replies from port {})",
                            agent.endpoint(),
                            c.getInt("reply-port"));
            return new Gateway(driver, aeron, agent, runner);
        } catch (RuntimeException e) {
            if (aeron != null) {
                aeron.close();
            }
            driver.close();
            throw e;
        }
    }

    /**
     * {@code world_gateway_sessions}, {@code world_gateway_dropped{reason}}, what the session streams sent and the
     * inputs relayed to other nodes ({@code world_gateway_relayed_inputs}, {@code _relayed_input_batches}) in
     * the node's /metrics.
     */
    private static void registerMetrics(
            ActorSystem<?> system, GatewayAgent agent, SessionStreams.Counters sent, InputBatches relayed) {
        PrometheusRegistry registry = NodeMetrics.get(system).registry();
        GaugeWithCallback.builder()
                .name("world_gateway_sessions")
                .help("Client sessions open on this node's UDP gateway")
                .callback(cb -> cb.call(agent.sessionCount()))
                .register(registry);
        CounterWithCallback.builder()
                .name("world_gateway_handoffs")
                .help("Sessions this gateway redirected to the gateway of their cell's node, by outcome (started; "
                        + "done: the session continues there; gave_up: it stayed here; superseded: closed because "
                        + "another node published the avatar's session without a handoff from here)")
                .labelNames("outcome")
                .callback(cb -> {
                    long[] counts = agent.handoffCounts();
                    cb.call(counts[0], "started");
                    cb.call(counts[1], "done");
                    cb.call(counts[2], "gave_up");
                    cb.call(counts[3], "superseded");
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("world_gateway_dropped")
                .help("Datagrams the UDP gateway dropped without effect, by reason")
                .labelNames("reason")
                .callback(cb -> agent.dropped()
                        .forEach((reason, count) ->
                                cb.call(count.get(), reason.name().toLowerCase())))
                .register(registry);
        counter(
                registry,
                "world_gateway_sent_datagrams",
                "Snapshot datagrams the session streams handed to Aeron",
                sent::datagrams);
        counter(
                registry,
                "world_gateway_sent_bytes",
                "Bytes of those datagrams (SBE, before Aeron's and UDP's headers)",
                sent::bytes);
        counter(
                registry,
                "world_gateway_unsent_datagrams",
                "Datagrams Aeron refused: back pressure, or a client's reply stream not connected",
                sent::unsent);
        counter(
                registry,
                "world_gateway_contended_frames",
                "Frames dropped because two cells encoded for one session at once (during a handover)",
                sent::contended);
        counter(
                registry,
                "world_gateway_relayed_inputs",
                "Inputs sent to the relay of the node running their cell (cells on other nodes)",
                relayed::inputsSent);
        counter(
                registry,
                "world_gateway_relayed_input_batches",
                "Messages those inputs took (batched per node over world.gateway.input-batch-window)",
                relayed::batchesSent);
    }

    /** A counter without labels whose value {@code total} reads when /metrics is scraped. */
    private static void counter(PrometheusRegistry registry, String name, String help, LongSupplier total) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call(total.getAsLong()))
                .register(registry);
    }

    /** The receiving agent (for metrics and tests). */
    public GatewayAgent agent() {
        return agent;
    }

    /** Stops the agent's thread, then the Aeron client and the driver (its directory is deleted). */
    @Override
    public void close() {
        runner.close();
        aeron.close();
        driver.close();
    }
}

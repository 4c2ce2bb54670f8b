package org.worldserver.shard.gateway;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AgentRunner;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's UDP gateway, as {@code world.gateway} configures it: the embedded media driver (its directory named
 * after the node's cluster port), an Aeron client, and the {@link GatewayAgent} on a thread of its own, placing
 * avatars through {@link WorldPlacement}. Started once the regions are defined; stopped by CoordinatedShutdown.
 */
public final class Gateway implements AutoCloseable {

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
                            c.getDuration("idle-timeout", TimeUnit.NANOSECONDS),
                            system.settings().config().getInt("world.region-defaults.tick-hz")),
                    new GatewayHandshake(
                            settings.tokenKey(),
                            new ChallengeCookies(settings.tokenKey(), 10_000),
                            new TokenNonces(c.getInt("session-capacity") * 2),
                            System::currentTimeMillis),
                    new WorldPlacement(system));
            AgentRunner runner = new AgentRunner(
                    GatewayDriver.idleStrategy(c.getConfig("driver").getString("idle-strategy")),
                    error -> system.log().error("Gateway error", error),
                    null,
                    agent);
            AgentRunner.startOnThread(runner);
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

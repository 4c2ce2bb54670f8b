package org.worldserver.shard;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.persistence.testkit.RealCassandra;

/** Starts a whole WorldNode in the test JVM on the RealCassandra, on free ports, for integration tests. */
final class InProcessNode {

    private InProcessNode() {}

    /** A node with the shipped configuration plus {@code extraHocon}; waits until it is up (at most 90 s). */
    static WorldNode start(String extraHocon) throws Exception {
        int[] udp = FreePorts.udp(2);
        return WorldNode.start(ConfigFactory.parseString(extraHocon)
                        .withFallback(ConfigFactory.parseString("""
                                pekko.remote.artery.canonical.port = 0
                                pekko.management.http.port = 0
                                pekko.coordinated-shutdown.exit-jvm = off
                                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                                world.gateway.port = %d
                                world.gateway.reply-port = %d
                                """.formatted(udp[0], udp[1])))
                        .withFallback(RealCassandra.config()))
                .toCompletableFuture()
                .get(90, TimeUnit.SECONDS);
    }
}

package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.worldserver.persistence.testkit.FreePorts;

/**
 * Two embedded media drivers on loopback, a server's and a client's, each with its Aeron client, in directories
 * of their own that are deleted on close: real Aeron UDP between them, for the gateway's tests.
 */
final class LoopbackAeron implements AutoCloseable {

    /** 64 KiB terms (the gateway's), one shared thread that sleeps when idle. */
    static final Config DRIVER = ConfigFactory.parseString(
            "dir = \"\", threading-mode = SHARED, idle-strategy = sleeping, term-length = 65536");

    final GatewayDriver serverDriver =
            GatewayDriver.launch(DRIVER, GatewayDriver.defaultDirectory("test-server-" + UUID.randomUUID()));
    final GatewayDriver clientDriver =
            GatewayDriver.launch(DRIVER, GatewayDriver.defaultDirectory("test-client-" + UUID.randomUUID()));
    final Aeron server = Aeron.connect(new Aeron.Context().aeronDirectoryName(serverDriver.directory()));
    final Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.directory()));

    @Override
    public void close() {
        client.close();
        server.close();
        clientDriver.close();
        serverDriver.close();
    }

    /** Runs {@code step} until {@code done}, at most 10 s (loopback round trips take milliseconds). */
    static void until(BooleanSupplier done, Runnable step) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            step.run();
            Thread.onSpinWait();
        }
    }

    /** A UDP port free on loopback right now. */
    static int freeUdpPort() {
        return FreePorts.udp(1)[0];
    }
}

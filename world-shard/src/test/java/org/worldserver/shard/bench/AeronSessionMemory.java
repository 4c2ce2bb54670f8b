package org.worldserver.shard.bench;

import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.shard.gateway.GatewayDriver;

/**
 * How much of {@code /dev/shm} a client session costs the server's media driver when every client has its own
 * stream each way (the gateway's plan): N clients publish to the gateway's one subscription (one image each on
 * the server; exclusive publications, as separate client processes would have) and the server publishes to each
 * client (one publication each), all on loopback with the configured term length. Each stream then carries four
 * terms' worth of 1 KiB messages. Prints the apparent size (what every session's logs reach once all their pages
 * are written) and the allocated bytes of the server driver's directory; compare two client counts for the cost
 * per session. Bounded: N streams, 10 MB each
 * way at most, then it stops and deletes everything.
 *
 * <p>Run: {@code deploy/bench/aeron-memory.sh [clients] [term-length]}.
 */
public final class AeronSessionMemory {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int termLength = args.length > 1 ? Integer.parseInt(args[1]) : 65536;
        String driverConfig =
                "dir = \"\", threading-mode = SHARED, idle-strategy = sleeping, term-length = " + termLength;
        String serverDir = GatewayDriver.defaultDirectory("mem-server-" + UUID.randomUUID());
        try (GatewayDriver serverDriver = GatewayDriver.launch(ConfigFactory.parseString(driverConfig), serverDir);
                GatewayDriver clientDriver = GatewayDriver.launch(
                        ConfigFactory.parseString(driverConfig),
                        GatewayDriver.defaultDirectory("mem-client-" + UUID.randomUUID()));
                Aeron server = Aeron.connect(new Aeron.Context().aeronDirectoryName(serverDriver.directory()));
                Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.directory()))) {
            long before = allocated(Path.of(serverDriver.directory()));
            Subscription gateway = server.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1);
            while (gateway.resolvedEndpoint() == null) {
                Thread.sleep(1);
            }
            List<Publication> up = new ArrayList<>();
            List<Publication> down = new ArrayList<>();
            List<Subscription> inboxes = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                up.add(client.addExclusivePublication(
                        "aeron:udp?endpoint=" + gateway.resolvedEndpoint() + "|term-length=" + termLength, 1));
                Subscription inbox = client.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 2);
                while (inbox.resolvedEndpoint() == null) {
                    Thread.sleep(1);
                }
                inboxes.add(inbox);
                down.add(server.addPublication(
                        "aeron:udp?endpoint=" + inbox.resolvedEndpoint() + "|term-length=" + termLength, 2));
            }
            // Drive every stream through its three terms once (4 terms of 1 KiB messages), draining both sides.
            UnsafeBuffer message = new UnsafeBuffer(new byte[1024]);
            int perStream = Math.min(10 << 20, 4 * termLength) / 1024;
            for (int m = 0; m < perStream; m++) {
                for (int i = 0; i < clients; i++) {
                    while (up.get(i).offer(message) < 0 || down.get(i).offer(message) < 0) {
                        gateway.poll((b, o, l, h) -> {}, 1000);
                        inboxes.forEach(s -> s.poll((b, o, l, h) -> {}, 1000));
                    }
                }
                gateway.poll((b, o, l, h) -> {}, 10_000);
                for (Subscription s : inboxes) {
                    s.poll((b, o, l, h) -> {}, 1000);
                }
            }
            Path dir = Path.of(serverDriver.directory());
            long apparent = apparent(dir);
            long allocated = allocated(dir) - before;
            System.out.printf(
                    "clients=%d term-length=%d: server driver dir %.1f MiB apparent, %.1f MiB allocated%n",
                    clients, termLength, apparent / 1048576.0, allocated / 1048576.0);
        }
    }

    private static long apparent(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    /** Bytes the files really occupy (sparse files count only written pages), from {@code du}. */
    private static long allocated(Path dir) throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).start();
        String out = new String(du.getInputStream().readAllBytes()).trim();
        du.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }
}

package org.worldserver.shard.bench;

import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.shard.gateway.GatewayDriver;

/**
 * What the gateway's media driver costs per session: N clients each with a stream to the server (one image each
 * on the server) and one back (one publication each), on loopback, with a game's traffic: every client sends
 * {@code up-hz} 40-byte datagrams a second (inputs and acks), the server sends each client {@code down-hz}
 * 500-byte datagrams (snapshots). For each N it measures, over a fixed time, the CPU of the server driver's
 * thread (ThreadMXBean), and prints it as cores and as µs per datagram the driver moved. The Java driver's duty
 * cycle visits every image and publication each time round, and its receiver takes one datagram per socket each
 * time round: the cost per datagram grows with the number of sessions.
 *
 * <p>Run: {@code deploy/bench/aeron-scaling.sh [idle-strategy] [seconds] [clients...]}; bounded: the counts given,
 * {@code seconds} each, everything on loopback, stopped and deleted at the end.
 */
public final class AeronDriverScaling {

    private static final int UP_HZ = 40;
    private static final int DOWN_HZ = 20;

    public static void main(String[] args) throws Exception {
        String idle = args.length > 0 ? args[0] : "backoff";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Integer> counts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            counts.add(Integer.parseInt(args[i]));
        }
        if (counts.isEmpty()) {
            counts = List.of(50, 100, 200, 400, 800);
        }
        System.out.printf(
                "idle=%s, %d s each, up %d Hz x 40 B, down %d Hz x 500 B per client%n", idle, seconds, UP_HZ, DOWN_HZ);
        System.out.println("clients  server-driver-cores  us-per-datagram  datagrams/s  client-driver-cores");
        for (int clients : counts) {
            run(idle, seconds, clients);
        }
    }

    private static void run(String idle, int seconds, int clients) throws Exception {
        String config = "dir = \"\", threading-mode = SHARED, idle-strategy = " + idle + ", term-length = 65536";
        String serverDir = GatewayDriver.defaultDirectory("scale-server-" + UUID.randomUUID());
        String clientDir = GatewayDriver.defaultDirectory("scale-client-" + UUID.randomUUID());
        try (GatewayDriver serverDriver = GatewayDriver.launch(ConfigFactory.parseString(config), serverDir);
                GatewayDriver clientDriver = GatewayDriver.launch(ConfigFactory.parseString(config), clientDir);
                Aeron server = Aeron.connect(new Aeron.Context().aeronDirectoryName(serverDriver.directory()));
                Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.directory()))) {
            Subscription gateway = server.addSubscription("aeron:udp?endpoint=127.0.0.1:0|reliable=false", 1);
            while (gateway.resolvedEndpoint() == null) {
                Thread.sleep(1);
            }
            List<Publication> up = new ArrayList<>();
            List<Publication> down = new ArrayList<>();
            List<Subscription> inboxes = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                up.add(client.addExclusivePublication(
                        "aeron:udp?endpoint=" + gateway.resolvedEndpoint() + "|term-length=65536", 1));
                Subscription inbox = client.addSubscription("aeron:udp?endpoint=127.0.0.1:0|reliable=false", 2);
                while (inbox.resolvedEndpoint() == null) {
                    Thread.sleep(1);
                }
                inboxes.add(inbox);
                down.add(server.addExclusivePublication(
                        "aeron:udp?endpoint=" + inbox.resolvedEndpoint() + "|term-length=65536", 2));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!up.stream().allMatch(Publication::isConnected)
                    || !down.stream().allMatch(Publication::isConnected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("streams did not connect");
                }
                Thread.sleep(10);
            }
            UnsafeBuffer small = new UnsafeBuffer(new byte[40]);
            UnsafeBuffer large = new UnsafeBuffer(new byte[500]);
            long[] received = {0};
            // Warm up 2 s, then measure.
            traffic(up, down, gateway, inboxes, small, large, 2, received);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long serverThread = driverThread(serverDriver.directory());
            long clientThread = driverThread(clientDriver.directory());
            long serverBefore = threads.getThreadCpuTime(serverThread);
            long clientBefore = threads.getThreadCpuTime(clientThread);
            long start = System.nanoTime();
            long sent = traffic(up, down, gateway, inboxes, small, large, seconds, received);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double serverCores = (threads.getThreadCpuTime(serverThread) - serverBefore) / 1e9 / elapsed;
            double clientCores = (threads.getThreadCpuTime(clientThread) - clientBefore) / 1e9 / elapsed;
            double datagramsPerSecond = sent / elapsed;
            System.out.printf(
                    "%7d  %19.3f  %15.2f  %11.0f  %19.3f%n",
                    clients, serverCores, serverCores * 1e6 / datagramsPerSecond, datagramsPerSecond, clientCores);
        }
    }

    /** Sends the game's traffic for {@code seconds}, paced every millisecond, draining both sides; returns datagrams offered. */
    private static long traffic(
            List<Publication> up,
            List<Publication> down,
            Subscription gateway,
            List<Subscription> inboxes,
            UnsafeBuffer small,
            UnsafeBuffer large,
            int seconds,
            long[] received) {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sentUp = 0;
        long sentDown = 0;
        int n = up.size();
        while (System.nanoTime() < end) {
            double t = (System.nanoTime() - start) / 1e9;
            // Spread each client's sends over the second: client i is due its k-th datagram at (k + i/n) / hz.
            long dueUp = (long) (t * UP_HZ * n);
            long dueDown = (long) (t * DOWN_HZ * n);
            while (sentUp < dueUp) {
                up.get((int) (sentUp % n)).offer(small);
                sentUp++;
            }
            while (sentDown < dueDown) {
                down.get((int) (sentDown % n)).offer(large);
                sentDown++;
            }
            received[0] += gateway.poll((b, o, l, h) -> {}, 1000);
            for (Subscription s : inboxes) {
                received[0] += s.poll((b, o, l, h) -> {}, 100);
            }
            LockSupport.parkNanos(500_000);
        }
        return sentUp + sentDown;
    }

    private static long driverThread(String directory) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(directory)) {
                return t.getId();
            }
        }
        throw new IllegalStateException("no driver thread named after " + directory);
    }
}

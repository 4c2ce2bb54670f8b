package org.worldserver.shard.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor under any UDP transport on this machine: the CPU one datagram costs to send and to receive through
 * plain non-blocking {@link DatagramChannel}s on loopback (one syscall each; no batching, which Java cannot do).
 * A sender thread sends 500-byte datagrams as fast as it can for the given time while a receiver thread drains;
 * prints µs of thread CPU per datagram each side. Bounded: one pair of sockets, {@code seconds} long.
 *
 * <p>Run: {@code java -cp <test classpath> org.worldserver.shard.bench.UdpSyscallCost [seconds]}.
 */
public final class UdpSyscallCost {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (DatagramChannel receiver = DatagramChannel.open();
                DatagramChannel sender = DatagramChannel.open()) {
            receiver.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            receiver.configureBlocking(false);
            sender.configureBlocking(false);
            InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong received = new AtomicLong();
            AtomicLong receiverCpu = new AtomicLong();
            Thread drain = new Thread(() -> {
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                long cpu = threads.getCurrentThreadCpuTime();
                try {
                    while (running.get()) {
                        in.clear();
                        if (receiver.receive(in) != null) {
                            received.incrementAndGet();
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                receiverCpu.set(threads.getCurrentThreadCpuTime() - cpu);
            });
            drain.start();
            ByteBuffer out = ByteBuffer.allocateDirect(500);
            long sent = 0;
            long cpu = threads.getCurrentThreadCpuTime();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                out.clear();
                if (sender.send(out, to) > 0) {
                    sent++;
                }
            }
            long senderCpu = threads.getCurrentThreadCpuTime() - cpu;
            running.set(false);
            drain.join();
            // The receiver also spins on empty receives (each a syscall too): its figure is an upper bound.
            System.out.printf(
                    "sent %d (%.0f/s): %.2f us CPU per send; received %d: at most %.2f us CPU per receive%n",
                    sent,
                    sent / (double) seconds,
                    senderCpu / 1000.0 / sent,
                    received.get(),
                    receiverCpu.get() / 1000.0 / Math.max(1, received.get()));
        }
    }
}

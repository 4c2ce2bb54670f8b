package org.worldserver.shard.gateway;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.world.CellArea;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.RegionBounds;

/**
 * What the gateway's sender costs and sends in a crowd: {@code avatars} on a random walk in one cell, each with a
 * {@link SessionStream} (every one of them a client), every tick's frames encoded into Snapshot datagrams and
 * offered on one Aeron IPC publication that this thread drains. Acknowledgements come back {@code ackDelay} ticks
 * later (a round trip: 2 ticks = 100 ms at 20 Hz). Reports the datagram size, updates per datagram, the bytes per
 * update (all bytes of the datagram over its updates, so the fixed part is shared out), bytes per client per
 * second, and the sender's time per frame (quantise, sort, delta-encode, offer), next to the tick's own time.
 *
 * <p>Run: {@code deploy/bench/snapshot-load.sh [avatars=1000] [ticks=400] [ack-delay=2] [update-bytes=24]
 * [budget-bytes-per-second=9728]}: the defaults are world.interest's.
 */
public final class SessionStreamLoad {

    public static void main(String[] args) throws Exception {
        int avatars = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int ticks = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int ackDelay = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int updateBytes = args.length > 3 ? Integer.parseInt(args[3]) : 14;
        int budget = args.length > 4 ? Integer.parseInt(args[4]) : 9728;
        float aoi = 64f;
        InterestSettings interest = new InterestSettings(aoi, 6f, 2f, 1f, 1f, 3f, budget, updateBytes, 1f);
        // 64 others in range on average, as the tick benchmarks.
        float side = (float) Math.sqrt(avatars / (65 / (Math.PI * aoi * aoi)));
        RegionBounds bounds = new RegionBounds(0, 0, 0, side, 100, side);
        SplittableRandom random = new SplittableRandom(42);

        try (LoopbackAeron aeron = new LoopbackAeron()) {
            Aeron server = aeron.server;
            Subscription drain = server.addSubscription("aeron:ipc", 9);
            Publication out = server.addPublication("aeron:ipc?term-length=64m", 9);
            while (!out.isConnected()) {
                Thread.onSpinWait();
            }
            SessionStreams streams = new SessionStreams();
            Map<String, SessionStream> byAvatar = new HashMap<>();
            CellId cellId = new CellId("crowd", 0, 0);
            long[] senderNanos = {0};
            long[] frames = {0};
            long[] updates = {0};
            CellSimulation cell = new CellSimulation(
                    new MovementRules(bounds, 6f, false),
                    CellArea.wholeRegion(bounds),
                    interest,
                    20f,
                    avatars,
                    256,
                    System::nanoTime,
                    frame -> {
                        long start = System.nanoTime();
                        byAvatar.get(frame.observerAvatarId()).onFrame(frame, cellId, null);
                        senderNanos[0] += System.nanoTime() - start;
                        frames[0]++;
                        updates[0] += frame.updateCount();
                    });
            String[] ids = new String[avatars];
            float[] heading = new float[avatars];
            for (int i = 0; i < avatars; i++) {
                ids[i] = "avatar-" + i;
                heading[i] = (float) (random.nextDouble() * 2 * Math.PI);
                cell.join(ids[i], i + 1, (float) random.nextDouble() * side, 0, (float) random.nextDouble() * side);
                byAvatar.put(ids[i], streams.open(i + 1, ids[i], out, 8, 20));
            }
            ArrayDeque<Integer> acks = new ArrayDeque<>();
            long tickNanos = 0;
            long measuredFrom = ticks / 4; // the first quarter warms up
            long bytesBefore = 0;
            long datagramsBefore = 0;
            for (int t = 1; t <= ticks; t++) {
                if (t == measuredFrom) {
                    senderNanos[0] = 0;
                    frames[0] = 0;
                    updates[0] = 0;
                    tickNanos = 0;
                    bytesBefore = streams.counters().bytes();
                    datagramsBefore = streams.counters().datagrams();
                }
                for (int i = 0; i < avatars; i++) {
                    heading[i] += (float) (random.nextDouble() - 0.5) * 0.3f;
                    float dx = (float) Math.cos(heading[i]);
                    float dz = (float) Math.sin(heading[i]);
                    cell.input(ids[i], t, dx * 0.8f, dz * 0.8f, dx, dz);
                }
                long start = System.nanoTime();
                cell.tick();
                tickNanos += System.nanoTime() - start;
                while (drain.poll((buffer, offset, length, header) -> {}, Integer.MAX_VALUE) > 0) {
                    // every datagram read: the IPC term never fills
                }
                // Every client acknowledges the snapshot it got ackDelay ticks ago (snapshot number = tick here).
                acks.addLast(t);
                if (acks.size() > ackDelay) {
                    int acked = acks.removeFirst();
                    for (SessionStream s : byAvatar.values()) {
                        s.acknowledge(acked);
                    }
                }
            }
            long measuredTicks = ticks - measuredFrom + 1;
            long bytes = streams.counters().bytes() - bytesBefore;
            long datagrams = streams.counters().datagrams() - datagramsBefore;
            System.out.printf(
                    "%d avatars, %d ticks measured, acks %d ticks late, budget %d B/s at %d B per update:%n",
                    avatars, measuredTicks, ackDelay, budget, updateBytes);
            System.out.printf(
                    "  datagram %.0f B on average, %.1f updates each, %.1f B per update (all bytes / updates)%n",
                    (double) bytes / datagrams, (double) updates[0] / frames[0], (double) bytes / updates[0]);
            System.out.printf(
                    "  per client %.0f B/s of snapshots (20 Hz), unsent %d, contended %d%n",
                    (double) bytes / avatars / (measuredTicks / 20.0),
                    streams.counters().unsent(),
                    streams.counters().contended());
            System.out.printf(
                    "  sender %.2f µs per frame (%.1f ms per tick); the tick itself %.1f ms (sender included)%n",
                    senderNanos[0] / 1000.0 / frames[0],
                    senderNanos[0] / 1e6 / measuredTicks,
                    tickNanos / 1e6 / measuredTicks);
            out.close();
            drain.close();
        }
    }
}

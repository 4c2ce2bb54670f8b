package org.worldserver.shard.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.infra.Blackhole;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/** What the tick benchmarks share: crowd density, interest settings, and a sink that reads frames. */
final class CrowdWorld {

    /** Others within an avatar's area of interest, on average (fewer at the region's edges). */
    static final int NEIGHBOURS = 64;

    static final float AOI = 64f;

    /** 6 m/s, 9.5 KiB/s per observer (34 updates of 14 B per tick at 20 Hz, as configured), 1 Hz refresh. */
    static final InterestSettings INTEREST = new InterestSettings(AOI, 6f, 2f, 1f, 1f, 3f, 9728, 14, 1f);

    private CrowdWorld() {}

    /** A square region, 100 m high, where {@code avatars} spread evenly have {@link #NEIGHBOURS} in range. */
    static RegionBounds regionFor(int avatars) {
        double density = (NEIGHBOURS + 1) / (Math.PI * AOI * AOI);
        float side = (float) Math.sqrt(avatars / density);
        return new RegionBounds(0, 0, 0, side, 100, side);
    }

    /** Consumes each frame as a gateway would read it. */
    static final class ReadingSink implements ObserverSink {
        private final Blackhole blackhole;

        ReadingSink(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void onFrame(ObserverFrame f) {
            int n = f.updateCount();
            for (int i = 0; i < n; i++) {
                blackhole.consume(f.updateEntity(i));
                blackhole.consume(f.updateX(i) + f.updateZ(i));
            }
            blackhole.consume(f.departedCount());
        }
    }

    /** Receives one avatar's input of a tick. */
    @FunctionalInterface
    interface InputSink {
        void input(int avatar, String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ);
    }

    /** Avatars "avatar-0".. on a random walk at 80 % of the maximum speed, facing where they go. */
    static final class RandomWalk {
        final String[] ids;
        private final float[] heading;
        private final SplittableRandom random;
        private int sequence;

        RandomWalk(int avatars, SplittableRandom random) {
            this.random = random;
            ids = new String[avatars];
            heading = new float[avatars];
            for (int i = 0; i < avatars; i++) {
                ids[i] = "avatar-" + i;
                heading[i] = (float) (random.nextDouble() * 2 * Math.PI);
            }
        }

        /** One tick's inputs: every avatar turns a little and walks on. */
        void inputs(InputSink sink) {
            sequence++;
            for (int i = 0; i < ids.length; i++) {
                heading[i] += (float) (random.nextDouble() - 0.5) * 0.3f;
                float dx = (float) Math.cos(heading[i]);
                float dz = (float) Math.sin(heading[i]);
                sink.input(i, ids[i], sequence, dx * 0.8f, dz * 0.8f, dx, dz);
            }
        }
    }
}

package org.worldserver.shard.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.worldserver.shard.world.CellArea;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/**
 * One tick of one cell holding the whole region, as a node would run it: every avatar sends one input (a random
 * walk with focus), then the tick moves everyone and decides every observer's updates. The region is sized so
 * that an avatar has about {@value #NEIGHBOURS} others within the 64 m area of interest (fewer at the edges).
 *
 * <p>Run: {@code deploy/bench/jmh.sh CellTickBenchmark} (adds {@code -prof gc} for allocation per tick).
 * Divide the time per tick by {@code avatars} for the cost per avatar.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CellTickBenchmark {

    static final int NEIGHBOURS = 64;
    private static final float AOI = 64f;

    @Param({"1000", "5000", "10000"})
    public int avatars;

    private CellSimulation cell;
    private String[] ids;
    private float[] heading;
    private SplittableRandom random;
    private int sequence;
    private long now;

    /** Consumes each frame as a gateway would read it. */
    private static final class ReadingSink implements ObserverSink {
        Blackhole blackhole;

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

    private final ReadingSink sink = new ReadingSink();

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        sink.blackhole = blackhole;
        double density = (NEIGHBOURS + 1) / (Math.PI * AOI * AOI);
        float side = (float) Math.sqrt(avatars / density);
        RegionBounds bounds = new RegionBounds(0, 0, 0, side, 100, side);
        InterestSettings interest = new InterestSettings(AOI, 6f, 2f, 1f, 1f, 3f, 16 * 1024, 24, 1f);
        cell = new CellSimulation(
                new MovementRules(bounds, 6f, false),
                CellArea.wholeRegion(bounds),
                interest,
                20f,
                avatars,
                256,
                () -> now,
                sink);
        random = new SplittableRandom(7);
        ids = new String[avatars];
        heading = new float[avatars];
        for (int i = 0; i < avatars; i++) {
            ids[i] = "avatar-" + i;
            heading[i] = (float) (random.nextDouble() * 2 * Math.PI);
            cell.join(ids[i], i + 1, (float) random.nextDouble() * side, 0, (float) random.nextDouble() * side);
        }
        for (int warm = 0; warm < 40; warm++) {
            tick();
        }
    }

    @Benchmark
    public void tick() {
        sequence++;
        for (int i = 0; i < avatars; i++) {
            heading[i] += (float) (random.nextDouble() - 0.5) * 0.3f;
            float dx = (float) Math.cos(heading[i]);
            float dz = (float) Math.sin(heading[i]);
            cell.input(ids[i], sequence, dx * 0.8f, dz * 0.8f, dx, dz);
        }
        now += 50_000_000L;
        cell.tick();
    }
}

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
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/**
 * One tick of one cell holding the whole region, as a node would run it: every avatar sends one input (a random
 * walk with focus), then the tick moves everyone and decides every observer's updates. The region is sized so
 * that an avatar has about {@value CrowdWorld#NEIGHBOURS} others within the 64 m area of interest (fewer at the edges).
 *
 * <p>Run: {@code deploy/bench/jmh.sh CellTickBenchmark} (adds {@code -prof gc} for allocation per tick).
 * Divide the time per tick by {@code avatars} for the cost per avatar.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CellTickBenchmark {

    @Param({"1000", "5000", "10000"})
    public int avatars;

    private CellSimulation cell;
    private CrowdWorld.RandomWalk walk;
    private CrowdWorld.InputSink toCell;
    private long now;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        ObserverSink sink = new CrowdWorld.ReadingSink(blackhole);
        RegionBounds bounds = CrowdWorld.regionFor(avatars);
        float side = bounds.width();
        InterestSettings interest = CrowdWorld.INTEREST;
        cell = new CellSimulation(
                new MovementRules(bounds, 6f, false),
                CellArea.wholeRegion(bounds),
                interest,
                20f,
                avatars,
                256,
                () -> now,
                sink);
        SplittableRandom random = new SplittableRandom(7);
        walk = new CrowdWorld.RandomWalk(avatars, random);
        for (int i = 0; i < avatars; i++) {
            cell.join(walk.ids[i], i + 1, (float) random.nextDouble() * side, 0, (float) random.nextDouble() * side);
        }
        toCell = (i, id, sequence, ix, iz, fx, fz) -> cell.input(id, sequence, ix, iz, fx, fz);
        for (int warm = 0; warm < 40; warm++) {
            tick();
        }
    }

    @Benchmark
    public void tick() {
        walk.inputs(toCell);
        now += 50_000_000L;
        cell.tick();
    }
}

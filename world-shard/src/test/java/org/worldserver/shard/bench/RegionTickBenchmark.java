package org.worldserver.shard.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.CellLayout;
import org.worldserver.shard.region.RegionDefinition;
import org.worldserver.shard.world.AvatarTable;
import org.worldserver.shard.world.CellSimulation;
import org.worldserver.shard.world.InterestSettings;
import org.worldserver.shard.world.LiveAvatar;
import org.worldserver.shard.world.MovementRules;
import org.worldserver.shard.world.ObserverSink;
import org.worldserver.shard.world.RegionBounds;

/**
 * One tick of a whole region as a node runs it in production: the region is cut into cells of {@code cellSize}
 * metres (256, the default), one {@link CellSimulation} each, and after the cells' ticks the work their actors do
 * is done here inline: avatars that left a cell are exported and admitted by the cell that owns them now, and
 * every cell gives its neighbours the ghosts of its avatars within an area of interest of their border. Density
 * as in {@link CellTickBenchmark}: about {@value CrowdWorld#NEIGHBOURS} others within 64 m of an avatar.
 *
 * <p>The cells run one after another on the benchmark thread, so the time per operation is the CPU time one tick
 * of the region costs a node; in production the cells are separate actors and spread over the node's cores.
 * Messaging between cell actors (a few messages per cell per tick) is not included.
 *
 * <p>Run: {@code deploy/bench/jmh.sh RegionTickBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RegionTickBenchmark {

    @Param({"1000", "5000", "10000"})
    public int avatars;

    @Param({"256"})
    public float cellSize;

    private CellLayout layout;
    private final Map<CellId, Integer> cellIndex = new HashMap<>();
    private CellId[] cellIds;
    private CellSimulation[] simulations;
    /** Per cell, its neighbour k (0..7) as an index into {@link #simulations}, or -1. */
    private int[][] neighbours;

    private CrowdWorld.RandomWalk walk;
    private CrowdWorld.InputSink toCells;
    /** Index into {@link #simulations} of the cell owning each avatar. */
    private int[] cellOf;

    private final Map<String, Integer> avatarIndex = new HashMap<>();
    private long now;
    private long ghostStamp;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        ObserverSink sink = new CrowdWorld.ReadingSink(blackhole);
        RegionBounds bounds = CrowdWorld.regionFor(avatars);
        float side = bounds.width();
        RegionDefinition region = new RegionDefinition("bench", bounds, cellSize, 20f, avatars, 6f, false, 256);
        layout = new CellLayout(region);
        InterestSettings interest = CrowdWorld.INTEREST;
        List<CellId> all = layout.allCells();
        cellIds = all.toArray(new CellId[0]);
        simulations = new CellSimulation[cellIds.length];
        Map<CellId, Integer> index = cellIndex;
        for (int c = 0; c < cellIds.length; c++) {
            CellId id = cellIds[c];
            simulations[c] = new CellSimulation(
                    new MovementRules(bounds, 6f, false),
                    layout.areaOf(id),
                    interest,
                    20f,
                    avatars,
                    256,
                    () -> now,
                    sink);
            index.put(id, c);
        }
        neighbours = new int[cellIds.length][8];
        for (int c = 0; c < cellIds.length; c++) {
            for (int k = 0; k < 8; k++) {
                CellId n = layout.neighbour(cellIds[c], k);
                neighbours[c][k] = n == null ? -1 : index.get(n);
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        walk = new CrowdWorld.RandomWalk(avatars, random);
        cellOf = new int[avatars];
        for (int i = 0; i < avatars; i++) {
            avatarIndex.put(walk.ids[i], i);
            float x = (float) random.nextDouble() * side;
            float z = (float) random.nextDouble() * side;
            int c = index.get(layout.cellAt(x, z));
            cellOf[i] = c;
            simulations[c].join(walk.ids[i], i + 1, x, 0, z);
        }
        toCells = (i, id, sequence, ix, iz, fx, fz) -> simulations[cellOf[i]].input(id, sequence, ix, iz, fx, fz);
        for (int warm = 0; warm < 40; warm++) {
            tick();
        }
    }

    @Benchmark
    public void tick() {
        walk.inputs(toCells);
        now += 50_000_000L;
        for (CellSimulation cell : simulations) {
            cell.tick();
        }
        for (int c = 0; c < simulations.length; c++) {
            handOver(c);
        }
        ghostStamp++;
        for (int c = 0; c < simulations.length; c++) {
            sendGhosts(c);
        }
    }

    /** What a cell actor does with the avatars its tick found outside its square. */
    private void handOver(int c) {
        CellSimulation from = simulations[c];
        int exits = from.exitCount();
        if (exits == 0) {
            return;
        }
        List<LiveAvatar> leaving = new ArrayList<>(exits);
        for (int i = 0; i < exits; i++) {
            leaving.add(from.export(from.exitSlot(i)));
        }
        for (LiveAvatar a : leaving) {
            from.leave(a.avatarId());
            CellId to = layout.cellAt(a.x(), a.z());
            int target = cellIndex.get(to);
            if (simulations[target].admit(a) != CellSimulation.JoinResult.JOINED) {
                throw new IllegalStateException("handover refused: " + a + " to " + to);
            }
            cellOf[avatarIndex.get(a.avatarId())] = target;
        }
    }

    /** What a cell actor sends its neighbours after a tick: its avatars within an area of interest of them. */
    private void sendGhosts(int c) {
        CellSimulation from = simulations[c];
        AvatarTable t = from.table();
        for (int i = 0; i < t.size(); i++) {
            int slot = t.liveSlot(i);
            if (from.isGhost(slot)) {
                continue;
            }
            int mask = layout.neighboursNear(cellIds[c], t.x[slot], t.z[slot], CrowdWorld.AOI);
            while (mask != 0) {
                int k = Integer.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                simulations[neighbours[c][k]].upsertGhost(
                        t.avatarId[slot],
                        t.entityId[slot],
                        t.x[slot],
                        t.y[slot],
                        t.z[slot],
                        t.vx[slot],
                        t.vz[slot],
                        t.focusX[slot],
                        t.focusZ[slot],
                        c,
                        ghostStamp);
            }
        }
        for (int k = 0; k < 8; k++) {
            if (neighbours[c][k] >= 0) {
                simulations[neighbours[c][k]].dropGhostsFrom(c, ghostStamp);
            }
        }
    }
}

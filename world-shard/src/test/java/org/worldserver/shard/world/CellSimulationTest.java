package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.world.CellSimulation.InputResult;
import org.worldserver.shard.world.CellSimulation.JoinResult;

class CellSimulationTest {

    private static final float TICK_HZ = 20f;
    private static final RegionBounds BOUNDS = new RegionBounds(-100, 0, -100, 100, 50, 100);
    private static final InterestSettings INTEREST = new InterestSettings(30f, 5f, 2f, 1f, 1f, 3f, 4800, 20, 1f);

    /** What an in-process observer received: per avatar, the frames of the last tick. */
    private static final class Recorder implements ObserverSink {
        final Map<String, Seen> last = new HashMap<>();

        record Seen(long tick, int lastInput, Map<Integer, float[]> updates, List<Integer> departed) {}

        @Override
        public void onFrame(ObserverFrame f) {
            Map<Integer, float[]> updates = new HashMap<>();
            for (int i = 0; i < f.updateCount(); i++) {
                updates.put(f.updateEntity(i), new float[] {f.updateX(i), f.updateY(i), f.updateZ(i)});
            }
            List<Integer> departed = new ArrayList<>();
            for (int i = 0; i < f.departedCount(); i++) {
                departed.add(f.departedEntity(i));
            }
            last.put(f.observerAvatarId(), new Seen(f.tick(), f.lastAppliedInput(), updates, departed));
        }
    }

    private long now;
    private final Recorder recorder = new Recorder();

    private CellSimulation cell(boolean teleportAllowed) {
        return new CellSimulation(
                new MovementRules(BOUNDS, 5f, teleportAllowed),
                CellArea.wholeRegion(BOUNDS),
                INTEREST,
                TICK_HZ,
                64,
                32,
                () -> now,
                recorder);
    }

    private void ticks(CellSimulation cell, int n, long periodMillis) {
        for (int i = 0; i < n; i++) {
            now += periodMillis * 1_000_000L;
            cell.tick();
        }
    }

    @Test
    void shouldShowGhostsToObserversWithoutSimulatingThemAndListAvatarsThatLeaveTheCell() {
        CellArea westHalf = new CellArea() {
            @Override
            public boolean owns(float x, float z) {
                return x < 0;
            }

            @Override
            public RegionBounds square() {
                return new RegionBounds(-100, 0, -100, 0, 50, 100);
            }
        };
        CellSimulation west = new CellSimulation(
                new MovementRules(BOUNDS, 5f, false), westHalf, INTEREST, TICK_HZ, 8, 8, () -> now, recorder);
        assertEquals(JoinResult.JOINED, west.join("ada", 1, -2, 0, 0));
        assertEquals(JoinResult.NOT_IN_CELL, west.join("eve", 9, 5, 0, 0));
        west.upsertGhost("bob", 2, 3, 0, 0, 1, 0, 0, 1, 4, 1);
        assertEquals(1, west.avatarCount());
        assertEquals(1, west.ghostCount());
        assertEquals(AvatarTable.NONE, west.slotOf("bob"), "a ghost is not an avatar of this cell");
        assertEquals(InputResult.UNKNOWN_AVATAR, west.input("bob", 1, 1, 0, 1, 0));

        ticks(west, 1, 50);
        assertTrue(recorder.last.get("ada").updates().containsKey(2), "ada sees the ghost of bob");
        assertEquals(null, recorder.last.get("bob"), "ghosts observe nothing here");
        assertEquals(0, west.exitCount());

        west.upsertGhost("bob", 2, 4, 0, 0, 1, 0, 0, 1, 4, 2); // the neighbour's next batch: bob moved
        ticks(west, 1, 50);
        assertEquals(4f, recorder.last.get("ada").updates().getOrDefault(2, new float[] {4})[0], 1e-6f);
        west.dropGhostsFrom(4, 3); // a batch without bob
        assertEquals(0, west.ghostCount());
        assertTrue(west.telemetry().attentionMass() > 0, "attention ada paid to the ghost stays for settlement");

        west.input("ada", 1, 1, 0, 1, 0); // east at 5 m/s: crosses x = 0 within 0.4 s
        ticks(west, 10, 50);
        assertEquals(1, west.exitCount());
        LiveAvatar leaving = west.export(west.exitSlot(0));
        assertEquals("ada", leaving.avatarId());
        assertTrue(leaving.x() >= 0 && leaving.vx() == 5f && leaving.intentX() == 1f && leaving.lastInput() == 1);

        west.upsertGhost("cy", 3, -1, 0, 0, 0, 0, 0, 1, 4, 4);
        assertEquals(JoinResult.JOINED, west.admit(new LiveAvatar("cy", 3, -1, 0, 1, 0, 0, 0, 1, 0, 0, 7)));
        assertEquals(0, west.ghostCount(), "admitting an avatar replaces its ghost");
        assertEquals(2, west.avatarCount());
        west.upsertGhost("cy", 3, 9, 0, 0, 0, 0, 0, 1, 4, 5);
        assertEquals(-1f, west.table().x[west.slotOf("cy")], "a stale ghost never overwrites an owned avatar");
    }

    @Test
    void shouldMoveAtMostAtMaximumSpeedAndNeverLeaveTheBounds() {
        CellSimulation cell = cell(false);
        assertEquals(JoinResult.JOINED, cell.join("ada", 1, 0, 0, 0));
        int slot = cell.slotOf("ada");

        assertEquals(InputResult.ACCEPTED, cell.input("ada", 1, 1, 0, 1, 0));
        ticks(cell, 20, 50); // 1 s at 5 m/s
        assertEquals(5f, cell.table().x[slot], 1e-3f);
        assertEquals(5f, cell.table().vx[slot], 1e-6f);

        assertEquals(InputResult.ACCEPTED, cell.input("ada", 2, 30, 40, 1, 0)); // |intent| = 50: capped to 1
        ticks(cell, 20, 50);
        assertEquals(5f + 3f, cell.table().x[slot], 1e-3f);
        assertEquals(4f, cell.table().z[slot], 1e-3f);

        assertEquals(InputResult.ACCEPTED, cell.input("ada", 3, 1, 0, 1, 0));
        ticks(cell, 20 * 30, 50); // 30 s east: far past the edge at x = 100
        assertEquals(100f, cell.table().x[slot], 1e-6f);
        assertEquals(0f, cell.table().vx[slot], "velocity into the wall is zeroed");
    }

    @Test
    void shouldRejectStaleMalformedAndUnknownInputsWithoutEffect() {
        CellSimulation cell = cell(false);
        cell.join("ada", 1, 0, 0, 0);
        int slot = cell.slotOf("ada");
        assertEquals(InputResult.ACCEPTED, cell.input("ada", 5, 0, 1, 0, 1));

        assertEquals(InputResult.STALE, cell.input("ada", 5, 1, 0, 1, 0));
        assertEquals(InputResult.STALE, cell.input("ada", 4, 1, 0, 1, 0));
        assertEquals(InputResult.MALFORMED, cell.input("ada", 6, Float.NaN, 0, 1, 0));
        assertEquals(InputResult.MALFORMED, cell.input("ada", 7, 0, Float.POSITIVE_INFINITY, 1, 0));
        assertEquals(InputResult.MALFORMED, cell.input("ada", 8, 1, 0, 0, 0));
        assertEquals(InputResult.UNKNOWN_AVATAR, cell.input("bob", 1, 1, 0, 1, 0));
        ticks(cell, 20, 50);

        assertEquals(0f, cell.table().x[slot], 1e-6f, "only the accepted northward intent applied");
        assertEquals(5f, cell.table().z[slot], 1e-3f);
        assertEquals(5, recorder.last.get("ada").lastInput());
        assertEquals(1, cell.telemetry().inputsAccepted());
        assertEquals(6, cell.telemetry().inputsRejected());
    }

    @Test
    void shouldTeleportOnlyWhereTheRegionAllowsAndInsideItsBounds() {
        CellSimulation strict = cell(false);
        strict.join("ada", 1, 0, 0, 0);
        assertNotNull(strict.teleport("ada", 10, 0, 10));
        assertEquals(0f, strict.table().x[strict.slotOf("ada")]);

        CellSimulation open = cell(true);
        open.join("ada", 1, 0, 0, 0);
        assertNotNull(open.teleport("ada", 500, 0, 0));
        assertNotNull(open.teleport("ada", Float.NaN, 0, 0));
        assertNull(open.teleport("ada", 50, 10, -50));
        int slot = open.slotOf("ada");
        assertEquals(50f, open.table().x[slot]);
        assertEquals(-50f, open.table().z[slot]);
    }

    @Test
    void shouldRefuseJoinsOutsideTheBoundsTwiceOrBeyondCapacity() {
        CellSimulation cell = new CellSimulation(
                new MovementRules(BOUNDS, 5f, false),
                CellArea.wholeRegion(BOUNDS),
                INTEREST,
                TICK_HZ,
                2,
                8,
                () -> now,
                recorder);
        assertEquals(JoinResult.OUT_OF_BOUNDS, cell.join("ada", 1, 101, 0, 0));
        assertEquals(JoinResult.JOINED, cell.join("ada", 1, 0, 0, 0));
        assertEquals(JoinResult.ALREADY_HERE, cell.join("ada", 1, 1, 0, 0));
        assertEquals(JoinResult.JOINED, cell.join("bob", 2, 1, 0, 0));
        assertEquals(JoinResult.FULL, cell.join("cy", 3, 2, 0, 0));
        assertTrue(cell.leave("ada"));
        assertEquals(JoinResult.JOINED, cell.join("cy", 3, 2, 0, 0));
    }

    @Test
    void shouldShowEachObserverTheOthersInRangeAndReportThoseWhoLeave() {
        CellSimulation cell = cell(false);
        cell.join("ada", 1, 0, 0, 0);
        cell.join("bob", 2, 10, 0, 0);
        cell.join("far", 3, 90, 0, 90);
        ticks(cell, 1, 50);

        Recorder.Seen ada = recorder.last.get("ada");
        assertEquals(Map.of(2, List.of(10f, 0f, 0f)), toLists(ada.updates()));
        assertEquals(
                Map.of(1, List.of(0f, 0f, 0f)), toLists(recorder.last.get("bob").updates()));
        assertTrue(recorder.last.get("far").updates().isEmpty());

        cell.input("bob", 1, 1, 0, 1, 0); // bob walks east out of ada's 30 m range
        boolean departed = false;
        for (int i = 0; i < 20 * 5 && !departed; i++) {
            ticks(cell, 1, 50);
            departed = recorder.last.get("ada").departed().contains(2);
        }
        assertTrue(departed, "ada was told that bob left her area of interest");
    }

    @Test
    void shouldAccumulateAttentionSecondsFromEveryObserverAndKeepThoseOfLeavers() {
        CellSimulation cell = cell(false);
        cell.join("star", 1, 0, 0, 0);
        cell.join("fan1", 2, 5, 0, 0);
        cell.join("fan2", 3, -5, 0, 0);
        ticks(cell, 20, 50);
        cell.leave("fan2");

        Map<String, Double> drained = new HashMap<>();
        cell.drainAttention(drained::put);
        // Each fan sees only the other two; the star's weight from each fan plus the other fan shares 1 per second.
        double total =
                drained.values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(3.0, total, 1e-3, "three observers paying one second of attention each: " + drained);
        assertTrue(drained.get("star") > drained.get("fan1"), "the star is watched by two: " + drained);
        assertTrue(drained.containsKey("fan2"), "attention of an avatar that left is kept: " + drained);

        Map<String, Double> again = new HashMap<>();
        cell.drainAttention(again::put);
        assertTrue(again.isEmpty(), "drained attention is not paid twice: " + again);
    }

    @Test
    void shouldDilateTimeWhenTicksRunLateAndRecoverWhenOnTime() {
        CellSimulation cell = cell(false);
        cell.join("ada", 1, 0, 0, 0);
        ticks(cell, 100, 100); // every tick twice as late as the 50 ms period
        assertEquals(0.5, cell.dilation(), 0.01);
        ticks(cell, 100, 50);
        assertEquals(1.0, cell.dilation(), 0.01);
        assertEquals(200, cell.telemetry().ticks());
    }

    private static Map<Integer, List<Float>> toLists(Map<Integer, float[]> updates) {
        Map<Integer, List<Float>> out = new HashMap<>();
        updates.forEach((k, v) -> out.put(k, List.of(v[0], v[1], v[2])));
        return out;
    }
}

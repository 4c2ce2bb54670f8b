package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.shard.world.RegionBounds;

/**
 * Handover as a property: avatars walk, teleport and travel at random across the cell borders of two regions
 * while the cells tick on their own timers (and, in half the runs, every handover offer arrives again up to
 * 400 ms later); once
 * everything has settled, every avatar that joined is owned by exactly one cell of one region and has stopped:
 * its last input reached it wherever it had gone.
 */
class HandoverPropertyTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "handover-property",
            ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                    .withFallback(ConfigFactory.load()));
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final float SIZE = 64;

    @AfterContainer
    static void stop() {
        KIT.shutdownTestKit();
    }

    /** 64 m × 64 m, 16 m cells (16 of them), fast avatars, small cells that fill up. */
    private static RegionDefinition region(String name) {
        return new RegionDefinition(name, new RegionBounds(0, 0, 0, SIZE, 10, SIZE), 16f, 50f, 5, 40f, true, 32);
    }

    sealed interface Action {}

    record Walk(int avatar, float intentX, float intentZ, int millis) implements Action {}

    record Teleport(int avatar, float x, float z) implements Action {}

    record Travel(int avatar, float x, float z) implements Action {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Integer> avatar = Arbitraries.integers().between(0, 5);
        Arbitrary<Float> unit = Arbitraries.floats().between(-1, 1);
        Arbitrary<Float> coordinate = Arbitraries.floats().between(0, SIZE);
        Arbitrary<Action> walk = Combinators.combine(
                        avatar, unit, unit, Arbitraries.integers().between(0, 80))
                .as(Walk::new);
        Arbitrary<Action> teleport =
                Combinators.combine(avatar, coordinate, coordinate).as(Teleport::new);
        Arbitrary<Action> travel =
                Combinators.combine(avatar, coordinate, coordinate).as(Travel::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, walk),
                        net.jqwik.api.Tuple.of(2, teleport),
                        net.jqwik.api.Tuple.of(1, travel))
                .list()
                .ofMinSize(5)
                .ofMaxSize(40);
    }

    @Property(tries = 40)
    void randomMovesNeverDuplicateOrLoseAnAvatar(
            @ForAll("actions") List<Action> actions,
            @ForAll boolean duplicateOffers,
            @ForAll("positions") List<float[]> starts) {
        int run = RUNS.incrementAndGet();
        RegionDefinition[] regions = {region("east-" + run), region("west-" + run)};
        LocalCells cells = new LocalCells(
                KIT.system(),
                f -> {},
                Duration.ofMinutes(1),
                batch -> CompletableFuture.completedFuture(Done.getInstance()),
                regions);
        cells.duplicateOffers = duplicateOffers;
        try {
            // Join: each avatar enters through the cell that owns its start; a full cell refuses it.
            Map<Integer, ActorRef<RegionCell.Command>> entry = new HashMap<>();
            Map<Integer, Integer> sequence = new HashMap<>();
            TestProbe<StatusReply<RegionCell.Joined>> joined = KIT.createTestProbe();
            for (int i = 0; i < starts.size(); i++) {
                float[] p = starts.get(i);
                ActorRef<RegionCell.Command> cell = cells.cellAt(regions[0], p[0], p[1]);
                cell.tell(new RegionCell.Join("a" + i, p[0], 0, p[1], joined.ref()));
                if (joined.receiveMessage(Duration.ofSeconds(5)).isSuccess()) {
                    entry.put(i, cell);
                    sequence.put(i, 0);
                }
            }
            // Commands go to the cell each avatar joined; cells forward them to wherever it is now.
            TestProbe<StatusReply<Done>> answers = KIT.createTestProbe();
            int asked = 0;
            for (Action action : actions) {
                if (action instanceof Walk w && entry.containsKey(w.avatar())) {
                    int seq = sequence.merge(w.avatar(), 1, Integer::sum);
                    entry.get(w.avatar())
                            .tell(new RegionCell.Input("a" + w.avatar(), seq, w.intentX(), w.intentZ(), 0, 1));
                    pause(w.millis());
                } else if (action instanceof Teleport t && entry.containsKey(t.avatar())) {
                    entry.get(t.avatar())
                            .tell(new RegionCell.Teleport("a" + t.avatar(), t.x(), 0, t.z(), answers.ref()));
                    asked++;
                } else if (action instanceof Travel t && entry.containsKey(t.avatar())) {
                    // Alternate the destination, so avatars go both ways.
                    RegionDefinition to = regions[t.avatar() % 2 == 0 ? 1 : 0];
                    entry.get(t.avatar())
                            .tell(new RegionCell.Travel("a" + t.avatar(), to, t.x(), 0, t.z(), answers.ref()));
                    asked++;
                }
            }
            for (int i : entry.keySet()) { // everyone stops
                sequence.merge(i, 1, Integer::sum);
                entry.get(i).tell(new RegionCell.Input("a" + i, sequence.get(i), 0, 0, 0, 1));
            }
            // Every teleport and travel is answered (done or refused), wherever it was forwarded.
            answers.receiveSeveralMessages(asked, Duration.ofSeconds(10));

            List<CellId> all = new ArrayList<>();
            for (RegionDefinition r : regions) {
                all.addAll(new CellLayout(r).allCells());
            }
            TestProbe<Void> probe = KIT.createTestProbe();
            probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
                assertEquals(0, cells.duplicatesPending.get(), "every late duplicate has arrived");
                int inFlight = 0;
                int owned = 0;
                for (CellId id : all) {
                    RegionCell.CellStatus s = RegionCellTest.status(cells.cell(id));
                    inFlight += s.inFlight();
                    owned += s.telemetry().avatars();
                }
                assertEquals(0, inFlight, "handovers settle");
                assertEquals(entry.size(), owned, "as many avatars owned as joined");
                for (int i : entry.keySet()) {
                    // Its last input (stop) reached it wherever it had gone: it is at rest and stays where it is.
                    RegionCell.Location at = only(cells, all, "a" + i);
                    assertEquals(sequence.get(i), at.lastInput(), "a" + i + " got its last input: " + at);
                    assertEquals(0f, at.vx(), "a" + i + " stopped: " + at);
                    assertEquals(0f, at.vz(), "a" + i + " stopped: " + at);
                }
                return null;
            });
        } finally {
            cells.stopAll();
        }
    }

    /** The avatar's location in the one cell that owns it; fails if none or several do. */
    private static RegionCell.Location only(LocalCells cells, List<CellId> all, String avatar) {
        List<RegionCell.Location> owners = new ArrayList<>();
        for (CellId id : all) {
            RegionCell.Location l = RegionCellTest.locate(cells.cell(id), avatar);
            if (l.present()) {
                owners.add(l);
            }
        }
        assertEquals(1, owners.size(), avatar + " is owned by exactly one cell: " + owners);
        return owners.get(0);
    }

    @Provide
    Arbitrary<List<float[]>> positions() {
        Arbitrary<Float> coordinate = Arbitraries.floats().between(0, SIZE);
        return Combinators.combine(coordinate, coordinate)
                .as((x, z) -> new float[] {x, z})
                .list()
                .ofMinSize(1)
                .ofMaxSize(6);
    }

    private static void pause(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

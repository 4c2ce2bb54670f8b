package org.worldserver.shard.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.worldserver.persistence.testkit.FreePorts;
import org.worldserver.shard.world.RegionBounds;

/**
 * Two cluster nodes in one JVM, talking over Artery on loopback with the production serializers: an avatar
 * teleported through every cell of a region is handed between cells on both nodes and is always owned by exactly
 * one cell; closing the region from the other node moves it to the fallback. (The registry's journal is the
 * in-memory one here: this test is about cells; RegionLifecycleIT covers persistence on Cassandra.)
 */
class CrossNodeHandoverTest {

    private static final Duration ASK = Duration.ofSeconds(5);
    private final int[] ports = FreePorts.allocate(2);
    private final ActorSystem<Void> first = node(ports[0]);
    private final ActorSystem<Void> second = node(ports[1]);

    private ActorSystem<Void> node(int port) {
        Config config = ConfigFactory.parseString(String.format("""
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://world@127.0.0.1:%d"]
                        pekko.cluster.jmx.enabled = off
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
                        pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
                        pekko.persistence.snapshot-store.local.dir = "target/snapshots-%s"
                        world.fallback-region = "dock"
                        """, port, ports[0], UUID.randomUUID()))
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "world", config);
        RegionDirectory directory = RegionDirectory.get(system);
        WorldRegions.init(
                system,
                CellEnvironment.fromRootConfig(
                        config,
                        directory::counterFor,
                        directory,
                        batch -> new CompletableFuture<>(),
                        WorldRegions.peers(system),
                        new RegionCell.PositionRecorder() {
                            @Override
                            public void checkpoint(String avatarId, String region, float x, float y, float z) {}

                            @Override
                            public void regionChanged(String avatarId, String region, float x, float y, float z) {}
                        }));
        return system;
    }

    @AfterEach
    void stop() throws Exception {
        second.terminate();
        first.terminate();
        second.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        first.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The cells of {@code region} that own {@code avatar} right now. */
    private List<String> owners(WorldRegions regions, RegionDefinition region, String avatar) throws Exception {
        List<String> owners = new java.util.ArrayList<>();
        for (CellId id : new CellLayout(region).allCells()) {
            RegionCell.Location l = await(
                    regions.cell(id).<RegionCell.Location>ask(replyTo -> new RegionCell.Locate(avatar, replyTo), ASK));
            if (l.present()) {
                owners.add(l.cell());
            }
        }
        return owners;
    }

    @Test
    void shouldHandAnAvatarBetweenCellsOnBothNodesAndEvacuateItFromTheOther() throws Exception {
        TestProbe<Void> probe = TestProbe.create(first);
        probe.awaitAssert(Duration.ofSeconds(30), () -> {
            for (ActorSystem<?> s : List.of(first, second)) {
                assertEquals(
                        2,
                        java.util.stream.StreamSupport.stream(
                                        Cluster.get(s).state().getMembers().spliterator(), false)
                                .filter(m -> m.status() == MemberStatus.up())
                                .count());
            }
            return null;
        });
        // Shards go to the node with the fewest at the moment they are first needed: wait until the coordinator
        // knows both nodes' cell regions, or the first node may get them all.
        TestProbe<ShardRegion.ClusterShardingStats> stats = TestProbe.create(first);
        probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
            ClusterSharding.get(first)
                    .shardState()
                    .tell(new GetClusterShardingStats(WorldRegions.CELL_KEY, Duration.ofSeconds(3), stats.ref()));
            assertEquals(
                    2, stats.receiveMessage(Duration.ofSeconds(5)).getRegions().size());
            return null;
        });
        RegionDefinition strand =
                new RegionDefinition("strand", new RegionBounds(0, 0, 0, 64, 10, 64), 16f, 20f, 50, 6f, true, 32);
        RegionDefinition dock =
                new RegionDefinition("dock", new RegionBounds(0, 0, 0, 32, 10, 32), 16f, 20f, 50, 6f, false, 32);
        WorldRegions viaFirst = WorldRegions.get(first);
        WorldRegions viaSecond = WorldRegions.get(second);
        assertTrue(await(viaFirst.define(strand)).isSuccess());
        assertTrue(await(viaFirst.define(dock)).isSuccess());

        StatusReply<RegionCell.Joined> joined = await(viaFirst.join("ada", "strand", 8, 0, 8));
        assertTrue(joined.isSuccess(), joined.toString());
        int entityId = joined.getValue().entityId();

        Set<String> visited = new HashSet<>();
        for (CellId target : new CellLayout(strand).allCells()) {
            String owner = owners(viaFirst, strand, "ada").get(0);
            float x = target.ix() * 16 + 8;
            float z = target.iz() * 16 + 8;
            StatusReply<Done> moved = await(viaSecond
                    .cell(CellId.parse(owner))
                    .<StatusReply<Done>>ask(replyTo -> new RegionCell.Teleport("ada", x, 0, z, replyTo), ASK));
            assertTrue(moved.isSuccess(), moved.toString());
            probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
                try {
                    assertEquals(List.of(target.entityId()), owners(viaSecond, strand, "ada"), "exactly one owner");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return null;
            });
            visited.add(target.entityId());
        }
        assertEquals(16, visited.size());
        RegionCell.Location last = viaFirst.locate("ada", "strand")
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS)
                .orElseThrow();
        assertEquals(entityId, last.entityId(), "the entity id survives every handover in the region");
        Set<CellId> onFirst = RegionDirectory.get(first).cells().keySet();
        Set<CellId> onSecond = RegionDirectory.get(second).cells().keySet();
        assertTrue(
                onFirst.stream().anyMatch(c -> c.region().equals("strand"))
                        && onSecond.stream().anyMatch(c -> c.region().equals("strand")),
                "the region's cells run on both nodes: " + onFirst + " / " + onSecond);

        StatusReply<List<RegionCell.Evacuated>> closed = await(viaSecond.close("strand"));
        assertTrue(closed.isSuccess(), closed.toString());
        assertEquals(
                1,
                closed.getValue().stream().mapToInt(RegionCell.Evacuated::moved).sum());
        assertEquals(
                0,
                closed.getValue().stream()
                        .mapToInt(RegionCell.Evacuated::remaining)
                        .sum());
        assertEquals(1, owners(viaFirst, dock, "ada").size(), "in the fallback region, once");
        assertTrue(owners(viaFirst, strand, "ada").isEmpty());
        assertFalse(await(viaFirst.join("bob", "strand", 8, 0, 8)).isSuccess(), "a closed region takes nobody");
    }
}

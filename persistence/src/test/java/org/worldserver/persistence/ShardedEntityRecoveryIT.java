package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * The persistence wiring end to end: a sharded event-sourced entity writes to the real Cassandra, its
 * ActorSystem is terminated, and a brand-new ActorSystem recovers the same state from Cassandra alone.
 */
@ExtendWith(RealCassandra.class)
class ShardedEntityRecoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Config nodeConfig() {
        return ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            """).withFallback(RealCassandra.config());
    }

    private static ActorTestKit startNode() {
        ActorTestKit kit = ActorTestKit.create("recovery", nodeConfig());
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        ClusterSharding.get(kit.system())
                .init(Entity.of(Guestbook.ENTITY_KEY, ctx -> Guestbook.create(ctx.getEntityId())));
        return kit;
    }

    @Test
    void shouldRecoverStateInANewActorSystemFromCassandra() {
        String id = "book-" + UUID.randomUUID();
        List<String> names = List.of("ada", "grace", "edsger", "barbara", "tony");

        ActorTestKit first = startNode();
        try {
            EntityRef<Guestbook.Command> book =
                    ClusterSharding.get(first.system()).entityRefFor(Guestbook.ENTITY_KEY, id);
            TestProbe<StatusReply<Guestbook.Summary>> probe = first.createTestProbe();
            for (String name : names) {
                book.tell(new Guestbook.Sign(name, probe.ref()));
                assertTrue(probe.expectMessageClass(StatusReply.class, TIMEOUT).isSuccess());
            }
        } finally {
            first.shutdownTestKit();
        }

        try (CqlSession session = RealCassandra.newSession()) {
            List<Row> rows = session.execute(
                            "SELECT sequence_nr FROM world.messages WHERE persistence_id = ? AND partition_nr = 0",
                            "Guestbook|" + id)
                    .all();
            assertEquals(names.size(), rows.size(), "events in world.messages");
            Row snapshot = session.execute(
                            "SELECT sequence_nr FROM world_snapshot.snapshots WHERE persistence_id = ? LIMIT 1",
                            "Guestbook|" + id)
                    .one();
            assertEquals(3L, snapshot.getLong("sequence_nr"), "newest snapshot (taken every 3 events)");
        }

        ActorTestKit second = startNode();
        try {
            EntityRef<Guestbook.Command> book =
                    ClusterSharding.get(second.system()).entityRefFor(Guestbook.ENTITY_KEY, id);
            TestProbe<Guestbook.Summary> probe = second.createTestProbe();
            book.tell(new Guestbook.Get(probe.ref()));
            assertEquals(
                    names,
                    probe.expectMessageClass(Guestbook.Summary.class, TIMEOUT).names());
        } finally {
            second.shutdownTestKit();
        }
    }
}

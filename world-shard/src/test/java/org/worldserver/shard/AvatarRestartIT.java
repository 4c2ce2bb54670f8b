package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.avatar.Avatar;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * A whole node (WorldNode, as Main starts it) on the real Cassandra: an avatar's record and last position
 * survive stopping the node and starting a new one.
 */
@ExtendWith(RealCassandra.class)
class AvatarRestartIT {

    private static final Duration ASK = Duration.ofSeconds(30);

    private static Config nodeConfig() {
        return ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.management.http.port = 0
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                """).withFallback(RealCassandra.config());
    }

    private static WorldNode startNode() throws Exception {
        return WorldNode.start(nodeConfig()).toCompletableFuture().get(90, TimeUnit.SECONDS);
    }

    private static Avatar.Summary ask(
            WorldNode node,
            String id,
            java.util.function.Function<ActorRef<StatusReply<Avatar.Summary>>, Avatar.Command> command)
            throws Exception {
        EntityRef<Avatar.Command> ref = ClusterSharding.get(node.system()).entityRefFor(Avatar.ENTITY_KEY, id);
        return ref.<Avatar.Summary>askWithStatus(command::apply, ASK)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @Test
    void shouldKeepAnAvatarsRecordAndLastPositionAcrossANodeRestart() throws Exception {
        String id = "it-" + UUID.randomUUID();
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        Avatar.Position exit = new Avatar.Position("harbour", 12.5, 0.0, -3.25);

        WorldNode first = startNode();
        Avatar.Summary before;
        try {
            ask(first, id, r -> new Avatar.Register("Grace", key, "harbour", r));
            ask(first, id, r -> new Avatar.Login("harbour", r));
            before = ask(first, id, r -> new Avatar.Logout(exit, r));
        } finally {
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }

        WorldNode second = startNode();
        try {
            Avatar.Summary after = ask(second, id, Avatar.Get::new);
            assertEquals(before, after);
            assertEquals("Grace", after.displayName());
            assertEquals(exit, after.lastPosition());
            assertFalse(after.online());
        } finally {
            second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}

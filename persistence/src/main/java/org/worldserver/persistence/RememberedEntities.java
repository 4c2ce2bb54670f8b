package org.worldserver.persistence;

import com.typesafe.config.ConfigFactory;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;

/**
 * Sharding for coordinators that must never be left half done (transfers, deposits, loans, trades): their shards
 * remember which entities run (in the journal), so after a crash every unfinished one is started again and resumes
 * by itself. A coordinator that has ended asks to be passivated, which also forgets it.
 */
public final class RememberedEntities {

    private RememberedEntities() {}

    /** The node's sharding settings with remember-entities on, stored in the journal (event sourced). */
    public static ClusterShardingSettings settings(ActorSystem<?> system) {
        return ClusterShardingSettings.fromConfig(
                ConfigFactory.parseString("remember-entities = on\nremember-entities-store = eventsourced")
                        .withFallback(system.settings().config().getConfig("pekko.cluster.sharding")));
    }

    /** What an entity calls with its own reference once it has ended: its shard passivates (and forgets) it. */
    public static <M> Consumer<ActorRef<M>> passivate(EntityContext<M> ctx) {
        return self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self));
    }
}

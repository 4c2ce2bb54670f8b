package org.worldserver.shard.gateway;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.WorldRegions;
import org.worldserver.shard.world.AvatarTable;
import org.worldserver.shard.world.FrameView;

/**
 * What crosses between a session's node and its avatar's cell's node, both ways. One relay per node (started with
 * the node, gateway or not).
 *
 * <p><b>Frames, cell to session.</b> The relay publishes, in a Distributed Data map replicated to every node, which
 * avatars have a session on this node's gateway ({@code avatar → this relay}); every node's {@link SessionStreams}
 * keeps a copy, so a cell whose observer has no session on its own node but one elsewhere batches that observer's
 * frames per destination relay and sends them once per tick ({@link RelayedFrames}, naming the relay of the cell's
 * node as their origin); the relay hands each to the session's {@link SessionStream}, which encodes it as it would
 * a local frame and remembers the origin.
 *
 * <p><b>Inputs, session to cell.</b> The gateway sends the inputs of a session whose cell runs elsewhere to that
 * origin relay, batched per relay over {@code world.gateway.input-batch-window} ({@link InputBatches}); the relay
 * gives each to its cell through this node's shard region, a local delivery (or one more hop, if the cell has moved
 * meanwhile). One Artery message carries a few inputs instead of one each, and Cluster Sharding's envelope and the
 * remote region's routing are skipped.
 *
 * <p><b>Gateways.</b> The relay also publishes where its node's gateway listens ({@code this relay → host:port}, a
 * second replicated map), so a gateway can hand a session to the node that runs its cell ({@link SessionHandoffs}).
 * A session closed here is removed from the sessions map only while the map still names this node: after a
 * handoff, the new node's entry stays.
 *
 * <p>Cost: one Artery message per cell and destination node per tick for frames, carrying each remote observer's
 * updates (about 32 bytes each) and the names of the entities they refer to; one per gateway, destination node and
 * batch window for inputs. Entries of a node that died stay in the map until the avatar logs in again (its frames
 * then go to dead letters).
 */
public final class SessionRelay {

    private static final Key<LWWMap<String, String>> SESSIONS = LWWMapKey.create("world-gateway-sessions");
    private static final Key<LWWMap<String, String>> GATEWAYS = LWWMapKey.create("world-gateway-endpoints");

    /** The relay's actor name on every node (a system actor). */
    public static final String NAME = "session-relay";

    private SessionRelay() {}

    /** What a relay does. */
    public sealed interface Command {}

    /**
     * One tick of one cell's frames for sessions on this relay's node.
     *
     * @param origin the relay of the node the cell ran on: where those sessions' inputs go
     */
    public record RelayedFrames(
            String cell, ActorRef<Command> origin, List<RelayedFrame> frames, Map<Integer, String> names)
            implements Command, CborSerializable {}

    /** Inputs of sessions on another node for cells on this relay's node, in the order they arrived. */
    public record RelayedInputs(List<RelayedInput> inputs) implements Command, CborSerializable {}

    /** One input for the cell {@code cell} (a {@link CellId#entityId()}). */
    public record RelayedInput(String cell, RegionCell.Input input) implements CborSerializable {}

    /**
     * One observer's frame: its updates' wire states ({@link AvatarTable#WIRE_STRIDE} ints each) followed by the
     * observer's own, and its departures.
     *
     * @param lastAppliedInput the observer's last applied input, -1 if none
     */
    public record RelayedFrame(String observer, int lastAppliedInput, int[] wire, int[] departed)
            implements CborSerializable {}

    /** A session opened on this node's gateway (published to every node). */
    record Opened(String avatarId) implements Command {}

    /** The session of {@code avatarId} on this node's gateway ended. */
    record Closed(String avatarId) implements Command {}

    /** This node's gateway listens at {@code address} (published to every node). */
    record GatewayStarted(SessionHandoffs.GatewayAddress address) implements Command {}

    /**
     * One of the two maps changed. (One message type for both: a typed actor has one message adapter per response
     * class, so the two subscriptions share it and the key tells them apart.)
     */
    private record MapChanged(Replicator.SubscribeResponse<LWWMap<String, String>> response) implements Command {}

    private record Updated(Replicator.UpdateResponse<LWWMap<String, String>> response) implements Command {}

    /** Starts the node's relay and connects it to {@code streams}. */
    public static void start(ActorSystem<?> system, SessionStreams streams) {
        // Restarted on a failure (setup subscribes to the sessions map again): every node's inputs for this node's
        // cells come through it.
        ActorRef<Command> relay = system.systemActorOf(
                Behaviors.supervise(behavior(streams)).onFailure(SupervisorStrategy.restart()),
                NAME,
                org.apache.pekko.actor.typed.Props.empty());
        streams.relay(relay);
    }

    private static Behavior<Command> behavior(SessionStreams streams) {
        return Behaviors.setup(context -> DistributedData.withReplicatorMessageAdapter(
                (ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator) -> {
                    SelfUniqueAddress node =
                            DistributedData.get(context.getSystem()).selfUniqueAddress();
                    ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
                    String self = resolver.toSerializationFormat(context.getSelf());
                    replicator.subscribe(SESSIONS, MapChanged::new);
                    replicator.subscribe(GATEWAYS, MapChanged::new);
                    if (streams.gateway() != null) { // restarted after the gateway started
                        context.getSelf().tell(new GatewayStarted(streams.gateway()));
                    }
                    Map<String, ActorRef<Command>> resolved = new HashMap<>();
                    RelayedFrameView view = new RelayedFrameView();
                    return Behaviors.receive(Command.class)
                            .onMessage(Opened.class, opened -> {
                                update(replicator, SESSIONS, map -> map.put(node, opened.avatarId(), self));
                                return Behaviors.same();
                            })
                            .onMessage(Closed.class, closed -> {
                                update(
                                        replicator,
                                        SESSIONS,
                                        map -> self.equals(map.getEntries().get(closed.avatarId()))
                                                ? map.remove(node, closed.avatarId())
                                                : map);
                                return Behaviors.same();
                            })
                            .onMessage(GatewayStarted.class, started -> {
                                update(
                                        replicator,
                                        GATEWAYS,
                                        map -> map.put(
                                                node, self, started.address().text()));
                                return Behaviors.same();
                            })
                            .onMessage(MapChanged.class, changed -> {
                                if (!(changed.response() instanceof Replicator.Changed<LWWMap<String, String>> c)) {
                                    return Behaviors.same();
                                }
                                if (c.key().equals(GATEWAYS)) {
                                    Map<ActorRef<Command>, SessionHandoffs.GatewayAddress> gateways = new HashMap<>();
                                    c.get(GATEWAYS).getEntries().forEach((relay, text) -> {
                                        SessionHandoffs.GatewayAddress address =
                                                SessionHandoffs.GatewayAddress.parse(text);
                                        if (address != null) {
                                            gateways.put(resolver.resolveActorRef(relay), address);
                                        }
                                    });
                                    streams.gateways(gateways);
                                    return Behaviors.same();
                                }
                                Map<String, ActorRef<Command>> remote = new HashMap<>();
                                c.get(SESSIONS).getEntries().forEach((avatar, relay) -> {
                                    if (!relay.equals(self)) {
                                        remote.put(avatar, resolved.computeIfAbsent(relay, resolver::resolveActorRef));
                                    }
                                });
                                resolved.keySet()
                                        .retainAll(c.get(SESSIONS).getEntries().values());
                                streams.remoteSessions(remote);
                                return Behaviors.same();
                            })
                            .onMessage(Updated.class, updated -> Behaviors.same())
                            .onMessage(RelayedFrames.class, batch -> {
                                CellId cell = CellId.parse(batch.cell());
                                for (RelayedFrame frame : batch.frames()) {
                                    SessionStream stream = streams.of(frame.observer());
                                    if (stream != null) {
                                        stream.onFrame(view.of(frame, batch.names()), cell, batch.origin());
                                    }
                                }
                                return Behaviors.same();
                            })
                            .onMessage(RelayedInputs.class, batch -> {
                                // Looked up here: the relay starts before the node registers its cells.
                                WorldRegions regions = WorldRegions.get(context.getSystem());
                                for (RelayedInput relayed : batch.inputs()) {
                                    regions.cell(relayed.cell()).tell(relayed.input());
                                }
                                return Behaviors.same();
                            })
                            .build();
                }));
    }

    /** Changes this node's entries of a map (written locally, gossiped to the other nodes). */
    private static void update(
            ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator,
            Key<LWWMap<String, String>> key,
            java.util.function.Function<LWWMap<String, String>, LWWMap<String, String>> change) {
        replicator.askUpdate(
                replyTo -> new Replicator.Update<>(key, LWWMap.empty(), Replicator.writeLocal(), replyTo, change),
                Updated::new);
    }

    /** A relayed frame read as a {@link FrameView}; reused, one frame at a time. */
    private static final class RelayedFrameView implements FrameView {
        private RelayedFrame frame;
        private Map<Integer, String> names;

        RelayedFrameView of(RelayedFrame f, Map<Integer, String> batchNames) {
            this.frame = f;
            this.names = batchNames;
            return this;
        }

        @Override
        public int lastAppliedInput() {
            return frame.lastAppliedInput();
        }

        @Override
        public String observerAvatarId() {
            return frame.observer();
        }

        @Override
        public int ownWireOffset() {
            return updateCount() * AvatarTable.WIRE_STRIDE;
        }

        @Override
        public int updateCount() {
            return frame.wire().length / AvatarTable.WIRE_STRIDE - 1;
        }

        @Override
        public int[] wire() {
            return frame.wire();
        }

        @Override
        public int updateWireOffset(int i) {
            return i * AvatarTable.WIRE_STRIDE;
        }

        @Override
        public String updateAvatarId(int i) {
            String name = names.get(frame.wire()[i * AvatarTable.WIRE_STRIDE]);
            return name == null ? "" : name;
        }

        @Override
        public int departedCount() {
            return frame.departed().length;
        }

        @Override
        public int departedEntity(int i) {
            return frame.departed()[i];
        }
    }
}

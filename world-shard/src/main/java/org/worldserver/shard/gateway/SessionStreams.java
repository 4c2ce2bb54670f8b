package org.worldserver.shard.gateway;

import io.aeron.Publication;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.UpdateCounter;
import org.worldserver.shard.world.ObserverFrame;
import org.worldserver.shard.world.ObserverSink;

/**
 * Where the cells of this node send what their observers are to see: the open sessions' {@link SessionStream}s by
 * avatar id. A cell's sink ({@link #sinkFor}) counts every frame, hands the frames of avatars with a session on
 * this node's gateway to their stream, batches those of avatars with a session on another node's gateway for that
 * node's {@link SessionRelay}, and only counts the rest (avatars driven over HTTP). It also knows, from the relays'
 * replicated maps, which other node has each remote session and where each node's gateway listens ({@link
 * SessionHandoffs.Directory}). Thread-safe: the gateway's receiver opens and closes streams, the relay updates the
 * remote sessions and gateways, cells read both.
 */
public final class SessionStreams implements Extension, SessionHandoffs.Directory {

    private static final ExtensionId<SessionStreams> ID = new ExtensionId<>() {
        @Override
        public SessionStreams createExtension(ActorSystem<?> system) {
            return new SessionStreams();
        }
    };

    /** What the streams did, for /metrics; any thread. */
    public static final class Counters {
        /** Datagrams offered and accepted by Aeron. */
        final LongAdder datagrams = new LongAdder();

        final LongAdder bytes = new LongAdder();
        /** Datagrams Aeron refused (back pressure, or the client's reply stream not connected). */
        final LongAdder unsent = new LongAdder();
        /** Frames dropped because another cell was encoding for the same session (a handover in progress). */
        final LongAdder contended = new LongAdder();

        public long datagrams() {
            return datagrams.sum();
        }

        public long bytes() {
            return bytes.sum();
        }

        public long unsent() {
            return unsent.sum();
        }

        public long contended() {
            return contended.sum();
        }
    }

    private final Map<String, SessionStream> byAvatar = new ConcurrentHashMap<>();
    /** Avatars with a session on another node → that node's relay (replaced whole on every change). */
    private volatile Map<String, ActorRef<SessionRelay.Command>> remote = Map.of();
    /** Every node's gateway endpoint by the node's relay (replaced whole on every change). */
    private volatile Map<ActorRef<SessionRelay.Command>, SessionHandoffs.GatewayAddress> gateways = Map.of();
    /** This node's relay, once started: told of every session opened and closed here. */
    private volatile ActorRef<SessionRelay.Command> relay;
    /** Where this node's gateway listens for clients, once it does; else null. */
    private volatile SessionHandoffs.GatewayAddress gateway;

    private final Counters counters = new Counters();

    /** A registry of its own (tests, benchmarks); a node uses {@link #get}. */
    public SessionStreams() {}

    public static SessionStreams get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /**
     * The sink of cell {@code id}: counts into {@code counter}, streams the frames of avatars with a session here,
     * and relays those of avatars with a session on another node at the end of each tick.
     */
    public ObserverSink sinkFor(CellId id, UpdateCounter counter) {
        RemoteFrames relayed = new RemoteFrames(id.entityId());
        return new ObserverSink() {
            @Override
            public void onFrame(ObserverFrame frame) {
                counter.onFrame(frame);
                String observer = frame.observerAvatarId();
                SessionStream stream = byAvatar.get(observer);
                if (stream != null) {
                    stream.onFrame(frame, id, null);
                    return;
                }
                ActorRef<SessionRelay.Command> elsewhere = remote.get(observer);
                if (elsewhere != null) {
                    relayed.add(elsewhere, frame);
                }
            }

            @Override
            public void tickEnded() {
                relayed.flush(relay);
            }
        };
    }

    void relay(ActorRef<SessionRelay.Command> nodeRelay) {
        this.relay = nodeRelay;
    }

    void remoteSessions(Map<String, ActorRef<SessionRelay.Command>> sessions) {
        this.remote = sessions;
    }

    void gateways(Map<ActorRef<SessionRelay.Command>, SessionHandoffs.GatewayAddress> addresses) {
        this.gateways = addresses;
    }

    /** This node's gateway listens at {@code address} (as clients reach it): the relay publishes it to every node. */
    void gatewayStarted(SessionHandoffs.GatewayAddress address) {
        this.gateway = address;
        ActorRef<SessionRelay.Command> nodeRelay = relay;
        if (nodeRelay != null) {
            nodeRelay.tell(new SessionRelay.GatewayStarted(address));
        }
    }

    /** Where this node's gateway listens, or null (no gateway, or not started yet). */
    SessionHandoffs.GatewayAddress gateway() {
        return gateway;
    }

    @Override
    public SessionHandoffs.GatewayAddress gatewayOf(Object nodeRelay) {
        return gateways.get(nodeRelay);
    }

    /**
     * The gateway of the other node at {@code node} (its address as the cluster knows it, e.g. {@code
     * pekko://world@10.0.0.7:25520}), or null when it has published none.
     */
    SessionHandoffs.GatewayAddress gatewayOfNode(String node) {
        for (Map.Entry<ActorRef<SessionRelay.Command>, SessionHandoffs.GatewayAddress> e : gateways.entrySet()) {
            if (e.getKey().path().address().toString().equals(node)) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public Object sessionElsewhere(String avatarId) {
        return remote.get(avatarId);
    }

    /**
     * Opens the stream of a new session, replying on {@code reply}; it replaces any stream of the same avatar
     * (which is closed).
     *
     * @param viewsKept views kept for delta baselines
     * @param crossingGrace snapshots within which a cell the avatar walked into must confirm what it sees
     */
    SessionStream open(long sessionId, String avatarId, Publication reply, int viewsKept, int crossingGrace) {
        SessionStream stream = new SessionStream(sessionId, avatarId, reply, viewsKept, crossingGrace, counters);
        SessionStream before = byAvatar.put(avatarId, stream);
        if (before != null) {
            before.close();
        }
        ActorRef<SessionRelay.Command> nodeRelay = relay;
        if (nodeRelay != null) {
            nodeRelay.tell(new SessionRelay.Opened(avatarId));
        }
        return stream;
    }

    /** Publishes {@code stream}'s session again (a resume), if it is still the avatar's stream here. */
    void republish(SessionStream stream) {
        ActorRef<SessionRelay.Command> nodeRelay = relay;
        if (byAvatar.get(stream.avatarId()) == stream && nodeRelay != null) {
            nodeRelay.tell(new SessionRelay.Opened(stream.avatarId()));
        }
    }

    /** Closes {@code stream}, if it is still the avatar's. */
    void close(SessionStream stream) {
        stream.close();
        ActorRef<SessionRelay.Command> nodeRelay = relay;
        if (byAvatar.remove(stream.avatarId(), stream) && nodeRelay != null) {
            nodeRelay.tell(new SessionRelay.Closed(stream.avatarId()));
        }
    }

    /** The open stream of {@code avatarId}, or null. */
    public SessionStream of(String avatarId) {
        return byAvatar.get(avatarId);
    }

    public Counters counters() {
        return counters;
    }
}

package org.worldserver.shard.gateway;

import io.aeron.Publication;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.UpdateCounter;
import org.worldserver.shard.world.ObserverSink;

/**
 * Where the cells of this node send what their observers are to see: the open sessions' {@link SessionStream}s by
 * avatar id. A cell's sink ({@link #sinkFor}) counts every frame and hands the frames of avatars with a session
 * on this node's gateway to their stream; avatars without one (bots driven over HTTP, sessions on another node)
 * are only counted. Thread-safe: the gateway's receiver opens and closes streams, cells read them.
 */
public final class SessionStreams implements Extension {

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
    private final Counters counters = new Counters();

    /** A registry of its own (tests, benchmarks); a node uses {@link #get}. */
    public SessionStreams() {}

    public static SessionStreams get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The sink of cell {@code id}: counts into {@code counter}, and streams frames of avatars with a session. */
    public ObserverSink sinkFor(CellId id, UpdateCounter counter) {
        return frame -> {
            counter.onFrame(frame);
            SessionStream stream = byAvatar.get(frame.observerAvatarId());
            if (stream != null) {
                stream.onFrame(frame, id);
            }
        };
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
        return stream;
    }

    /** Closes {@code stream}, if it is still the avatar's. */
    void close(SessionStream stream) {
        stream.close();
        byAvatar.remove(stream.avatarId(), stream);
    }

    /** The open stream of {@code avatarId}, or null. */
    public SessionStream of(String avatarId) {
        return byAvatar.get(avatarId);
    }

    public Counters counters() {
        return counters;
    }
}

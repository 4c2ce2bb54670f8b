package org.worldserver.protocol.client;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.ClientMessages;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Offers;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.Requests;
import org.worldserver.protocol.SnapshotReader;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectDecoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.RedirectDecoder;
import org.worldserver.protocol.sbe.ResponseDecoder;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.protocol.sbe.SessionAcceptedDecoder;
import org.worldserver.protocol.sbe.SessionDeniedDecoder;
import org.worldserver.protocol.sbe.SnapshotDecoder;

/**
 * One client session with a world server's gateway over Aeron UDP: the handshake (with retries and a timeout),
 * snapshot sync with acknowledgements, entity names, enter and leave events, heartbeats, inputs remembered for
 * prediction, interpolation samples, and resuming the session from new streams after a network change.
 *
 * <p><b>Threading.</b> No thread of its own: the caller drives it by calling {@link #poll} (and every other
 * method) from one thread, so one thread can run thousands of clients on one shared {@link Aeron}; {@link
 * Listener} methods run inside those calls. Times are the caller's monotonic clock in nanoseconds ({@code
 * System.nanoTime()}); the client's wire clock ({@code clientTimeMicros}, heartbeats) is that clock / 1000.
 * {@link #connect} and {@link #resume} add a subscription and a publication, which waits for the media driver
 * (typically well under a millisecond). Getters may be read from other threads only as rough statistics.
 *
 * <p><b>Streams.</b> Requests go on stream 1 to {@code aeron:udp?endpoint=<server>|term-length=..|
 * response-correlation-id=<reply subscription>}; replies come on stream 2 of a response channel {@code
 * aeron:udp?control-mode=response|control=<reply control>|reliable=false}, bound to the client's request image at
 * the server. Unreliable: a lost snapshot is skipped, never retransmitted (the next one is encoded against what
 * the client acknowledged), so one loss never holds back the datagrams behind it.
 *
 * <p><b>States.</b> {@code IDLE →connect→ CONNECTING →Challenge→ CHALLENGED →SessionAccepted→ CONNECTED}; a
 * handshake step is repeated every {@link ClientSettings#handshakeRetry} until answered; SessionDenied, or no
 * answer within {@link ClientSettings#handshakeTimeout}, ends in {@code DENIED} ({@link #denyReason} null for a
 * timeout). Connected, silence for {@link ClientSettings#silenceTimeout} makes it {@code LOST}; any valid
 * datagram from the server makes it {@code CONNECTED} again, and {@link #resume} opens new streams and repeats
 * the handshake naming the session. {@code CLOSED} after {@link #disconnect}, {@link #close} or a Disconnect from
 * the server. {@code DENIED} and {@code CLOSED} are final and hold no Aeron resources.
 *
 * <p><b>Handoffs.</b> A cluster's gateway may send a Redirect: the session continues at the gateway of the node
 * that runs the client's avatar (one hop less for every input and snapshot). Make before break: the client opens
 * streams to that gateway and handshakes there with the token the Redirect carries, naming its session, while it
 * stays {@code CONNECTED} where it is (inputs and snapshots go on through the old gateway). Once the new gateway
 * accepts, the client switches to it, with the new session id; its view, names, interpolation and input sequence
 * carry over (the new gateway's first snapshot is a full one, diffed against the view as any other). If the new
 * gateway refuses, sends no Challenge within {@link #HANDOFF_UNANSWERED_NANOS}, or does not accept within {@link
 * #HANDOFF_TIMEOUT_NANOS}, the client drops those streams and stays. {@link Listener#onHandoff} tells which; {@link
 * #endpoint} is where the client sends now. A Redirect is followed only while no request is pending (the old
 * gateway answers it; it repeats the Redirect), and no request is taken while a handoff runs.
 *
 * <p><b>Receiving.</b> Every datagram is checked by {@link DatagramCheck} first; what fails, belongs to another
 * session or is not expected is dropped and counted ({@link #dropped}), never thrown. A steady session (snapshots
 * in, acks out) allocates nothing here beyond what {@link ClientMessages} does.
 */
public final class WorldClient implements AutoCloseable {

    /** The stream the client sends on (the gateway's request stream). */
    public static final int REQUEST_STREAM = 1;
    /** The stream the gateway replies on. */
    public static final int REPLY_STREAM = 2;

    private static final int FRAGMENT_LIMIT = 16;
    private static final int INPUTS_KEPT = 128;
    private static final int SAMPLES_PER_ENTITY = 6;
    /** How long the gateway a Redirect named may take to send a Challenge before the client gives up on it. */
    public static final long HANDOFF_UNANSWERED_NANOS = 4_000_000_000L;
    /**
     * How long the gateway a Redirect named may take to accept (it attaches the session to the avatar, which a busy
     * node may take seconds for) before the client gives up on it: less than the old gateway waits for the handoff
     * ({@code world.gateway.handoff.timeout}, 20 s), which keeps the session open until then.
     */
    public static final long HANDOFF_TIMEOUT_NANOS = 15_000_000_000L;
    /** Longest endpoint a Redirect may name, in UTF-8 bytes. */
    public static final int MAX_ENDPOINT_BYTES = 255;

    /** Where requests go now ({@code host:port}): the settings' endpoint, or the gateway of the last handoff. */
    public String endpoint() {
        return endpoint;
    }

    /** Handoffs completed (the session continued at the gateway a Redirect named). */
    public long handoffs() {
        return handoffs;
    }

    /** Handoffs that failed (the client stayed at the gateway it was at). */
    public long handoffsFailed() {
        return handoffsFailed;
    }

    /** Where a session is. */
    public enum State {
        /** Created; {@link #connect} not called. */
        IDLE,
        /** Sending ConnectRequest until a Challenge comes. */
        CONNECTING,
        /** Sending ChallengeResponse until the session is accepted or denied. */
        CHALLENGED,
        CONNECTED,
        /** Connected, but nothing heard for the silence timeout. */
        LOST,
        /** Refused, or the handshake timed out (final). */
        DENIED,
        /** Ended by either side (final). */
        CLOSED
    }

    /** Why a received datagram was dropped. */
    public enum Drop {
        /** {@link DatagramCheck} refused it. */
        INVALID,
        /** For another session (or before this client has one). */
        WRONG_SESSION,
        /** Valid, but not a message the client expects now (a late handshake answer, a client message...). */
        UNEXPECTED,
        /** A snapshot not newer than the newest applied. */
        STALE,
        /** A snapshot whose baseline view is not held any more. */
        MISSING_BASELINE,
        /** A snapshot whose entity block does not decode. */
        MALFORMED
    }

    private final Aeron aeron;
    private final ClientSettings settings;
    private final Listener listener;
    private final long retryNanos;
    private final long handshakeTimeoutNanos;
    private final long heartbeatNanos;
    private final long silenceNanos;
    private final long interpolationDelayMicros;
    private final long requestRetryNanos;
    private final long requestTimeoutNanos;
    private final long ackDelayNanos;

    private final ClientMessages messages = new ClientMessages();
    private final DatagramCheck check = new DatagramCheck();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final SessionAcceptedDecoder acceptedIn = new SessionAcceptedDecoder();
    private final SnapshotDecoder snapshotIn = new SnapshotDecoder();
    private final HeartbeatDecoder heartbeatIn = new HeartbeatDecoder();
    private final DisconnectDecoder disconnectIn = new DisconnectDecoder();
    private final ResponseDecoder responseIn = new ResponseDecoder();
    private final RedirectDecoder redirectIn = new RedirectDecoder();
    private final FragmentHandler onDatagram = this::onDatagram;
    private final FragmentHandler onHandoffDatagram = this::onHandoffDatagram;
    private final IntConsumer onEnter = this::entered;
    private final IntConsumer onLeave = this::left;
    private final ViewChanges changes = new ViewChanges();
    private final InterpolationBuffer interpolation = new InterpolationBuffer(SAMPLES_PER_ENTITY);
    private final ServerClock serverClock = new ServerClock();
    private final InputHistory inputs = new InputHistory(INPUTS_KEPT);
    private final IntHashSet seen = new IntHashSet();
    private final Int2ObjectHashMap<String> names = new Int2ObjectHashMap<>();
    private final long[] drops = new long[Drop.values().length];
    /** Requests sent and not answered yet, by id. */
    private final Long2ObjectHashMap<PendingRequest> pending = new Long2ObjectHashMap<>();
    /** Streams closed during a poll, released once it returns (their buffers may still be read). */
    private final List<AutoCloseable> retired = new ArrayList<>(2);

    private SnapshotReader reader;
    private Subscription replies;
    private Publication requests;
    private boolean polling;
    private long nowNanos;

    private State state = State.IDLE;
    /** Where requests go and the gateway's reply control: the settings', until a handoff moves the session. */
    private String endpoint;

    private String replyControl;
    /** The handoff under way, or null. */
    private PendingHandoff handoff;

    private long handoffs;
    private long handoffsFailed;
    private byte[] token;
    private long nonce;
    private byte[] cookie;
    private boolean handshakeClockStarted;
    private long handshakeStartNanos;
    private long nextHandshakeSendNanos;
    private long lastSentNanos;
    private long lastHeardNanos;

    private long sessionId;
    private int entityId;
    private int tickHz;
    private DenyReason denyReason;
    private DisconnectReason disconnectReason;
    private int nextSequence = 1;
    private int lastAppliedInput;
    private long snapshotsReceived;
    private long bytesReceived;
    private long datagramsReceived;
    private long lastHeartbeatRttMicros = -1;
    private long nextRequestId = 1;
    /**
     * An applied snapshot not acknowledged yet, or 0: its Ack goes out at {@link #ackDueNanos} unless an input
     * carries it first.
     */
    private int unackedTick;

    private long ackDueNanos;

    /**
     * A handoff under way: streams of its own to the gateway a Redirect named, and where its handshake is (the
     * session's own streams go on meanwhile).
     */
    private final class PendingHandoff {
        final String endpoint;
        final String replyControl;
        final byte[] token;
        final long nonce;
        final Subscription replies;
        final Publication requests;
        final long startNanos;
        /** The new gateway's cookie, once it sent a Challenge; null before. */
        byte[] cookie;

        long nextSendNanos;

        /** Opens the streams ({@link #openStreams}: closing what it opened if that fails). */
        PendingHandoff(String endpoint, String replyControl, byte[] token, long nonce, long nowNanos) {
            this.endpoint = endpoint;
            this.replyControl = replyControl;
            this.token = token;
            this.nonce = nonce;
            this.startNanos = nowNanos;
            this.nextSendNanos = nowNanos;
            Streams streams = openStreams(endpoint, replyControl);
            this.replies = streams.replies();
            this.requests = streams.requests();
        }

        void close() {
            release(requests, replies);
        }
    }

    /** A request not answered yet: its datagram, repeated as it is, and when it went out first and goes next. */
    private static final class PendingRequest {
        final UnsafeBuffer datagram;
        final long firstSentNanos;
        long nextSendNanos;

        PendingRequest(UnsafeBuffer datagram, long firstSentNanos) {
            this.datagram = datagram;
            this.firstSentNanos = firstSentNanos;
        }
    }

    /**
     * @param aeron the Aeron client to add streams to; shared, never closed here
     * @param listener told about the session, on the polling thread
     */
    public WorldClient(Aeron aeron, ClientSettings settings, Listener listener) {
        this.aeron = aeron;
        this.settings = settings;
        this.listener = listener;
        this.retryNanos = settings.handshakeRetry().toNanos();
        this.handshakeTimeoutNanos = settings.handshakeTimeout().toNanos();
        this.heartbeatNanos = settings.heartbeatInterval().toNanos();
        this.silenceNanos = settings.silenceTimeout().toNanos();
        this.interpolationDelayMicros = settings.interpolationDelay().toNanos() / 1000;
        this.requestRetryNanos = settings.requestRetry().toNanos();
        this.requestTimeoutNanos = settings.requestTimeout().toNanos();
        this.ackDelayNanos = settings.ackDelay().toNanos();
        this.reader = new SnapshotReader(settings.viewsKept());
        this.endpoint = settings.serverEndpoint();
        this.replyControl = settings.replyControl();
    }

    /**
     * Opens the streams and starts the handshake with a connect token (from the node's {@code POST /sessions}) and
     * the nonce it is bound to; the first ConnectRequest goes out at the next {@link #poll}.
     *
     * @throws IllegalStateException unless {@link State#IDLE}: a client is one session
     */
    public void connect(byte[] connectToken, long clientNonce) {
        if (state != State.IDLE) {
            throw new IllegalStateException("connect() once, from IDLE; the client is " + state);
        }
        startHandshake(connectToken, clientNonce);
    }

    /** {@link #resume(byte[], long)} with the token and nonce of {@link #connect}. */
    public void resume() {
        resume(token, nonce);
    }

    /**
     * Moves the session to new streams, as after a network change: opens a new subscription and publication (a new
     * Aeron image at the server), closes the old ones and repeats the handshake naming the session ({@code
     * resumeSessionId}). Accepted with the same session id, the client is {@link State#CONNECTED} again and keeps
     * its snapshot views (the server keeps the session's avatar and baselines); refused ({@code RESUME_REFUSED}
     * once the server dropped the session), it is {@link State#DENIED}. Note: Aeron sends every publication of one
     * media driver to the same server endpoint from one UDP socket, so the source port changes only when the
     * network (NAT) changes it.
     *
     * @param connectToken a token the server accepts now (the first one, unless it expired or was spent)
     * @throws IllegalStateException if the client never had a session, or is DENIED or CLOSED
     */
    public void resume(byte[] connectToken, long clientNonce) {
        if (sessionId == 0 || state == State.DENIED || state == State.CLOSED) {
            throw new IllegalStateException("nothing to resume: the client is " + state);
        }
        startHandshake(connectToken, clientNonce);
    }

    /**
     * Sends an input (the newest wins at the server): movement intent east and north (−1..1 of the maximum speed)
     * and a focus direction (any length), stamped with the next sequence number (from 1) and {@code nowNanos} / 1000
     * as its client time, and remembers it for prediction ({@link #forEachPendingInput}).
     *
     * @return its sequence number, or −1 if not {@link State#CONNECTED} or the publication refused it (back
     *     pressure, not connected): nothing was sent or remembered, and the next input takes the same number
     */
    public int sendInput(float intentX, float intentZ, float focusX, float focusZ, long nowNanos) {
        if (state != State.CONNECTED) {
            return -1;
        }
        int sequence = nextSequence;
        long timeMicros = nowNanos / 1000;
        int acked = reader.tick(); // the newest applied, or 0
        if (!send(messages.input(sessionId, sequence, timeMicros, intentX, intentZ, focusX, focusZ, acked), nowNanos)) {
            return -1;
        }
        unackedTick = 0; // carried by the input
        int yaw = Quantization.yaw(focusX, focusZ);
        inputs.record(
                sequence,
                timeMicros,
                Quantization.intentFraction(Quantization.intent(intentX)),
                Quantization.intentFraction(Quantization.intent(intentZ)),
                Quantization.focusX(yaw),
                Quantization.focusZ(yaw));
        nextSequence++;
        return sequence;
    }

    /**
     * Asks the server to teleport the avatar to x (east), y (up), z (north), metres in its current region (the
     * region must allow teleports). The request is repeated with the same id every {@link
     * ClientSettings#requestRetry} until it is answered, and the server executes it once whatever the repeats; the
     * answer comes to {@link Listener#onResponse} (OK, or a status with {@code "<code>: <detail>"}), or, after
     * {@link ClientSettings#requestTimeout} without one, UNAVAILABLE {@code request-timed-out} (the teleport may
     * or may not have happened: the next snapshots tell).
     *
     * @return the request's id, or −1 if not {@link State#CONNECTED} or while a handoff runs (nothing sent: its
     *     answer would come to the gateway being left)
     */
    public long teleport(float x, float y, float z, long nowNanos) {
        if (state != State.CONNECTED || handoff != null) {
            return -1;
        }
        long id = nextRequestId++;
        return send(id, messages.teleport(sessionId, id, x, y, z), nowNanos);
    }

    /**
     * Sends a request of any kind with its payload (an asset's: {@link AssetRequests}, whose static methods make the
     * payloads), repeated and answered as {@link #teleport} is; an OK answer's message is the result (JSON for the
     * asset kinds).
     *
     * @return the request's id, or −1 if not {@link State#CONNECTED} or while a handoff runs (nothing sent)
     */
    public long request(int kind, byte[] payload, long nowNanos) {
        if (state != State.CONNECTED || handoff != null) {
            return -1;
        }
        long id = nextRequestId++;
        return send(id, messages.request(sessionId, id, kind, payload), nowNanos);
    }

    /** Sends the request just written to the messages' buffer and keeps it until it is answered; returns its id. */
    private long send(long id, int length, long nowNanos) {
        byte[] datagram = new byte[length];
        messages.buffer().getBytes(0, datagram);
        PendingRequest request = new PendingRequest(new UnsafeBuffer(datagram), nowNanos);
        pending.put(id, request);
        sendRequest(request, nowNanos);
        return id;
    }

    /** Requests sent and not answered (nor given up) yet. */
    public int pendingRequestCount() {
        return pending.size();
    }

    /**
     * Does the client's work: reads up to 16 datagrams from the server and handles them, then repeats handshake
     * steps, sends a heartbeat after {@link ClientSettings#heartbeatInterval} without sending, and applies the
     * timeouts. Call it often (every frame, or every millisecond or so for bots).
     *
     * @param nowNanos the caller's monotonic clock ({@code System.nanoTime()})
     * @return how much was done (datagrams read and messages sent); 0 lets the caller idle
     */
    public int poll(long nowNanos) {
        this.nowNanos = nowNanos;
        int work = 0;
        if (replies != null) {
            polling = true;
            try {
                work += replies.poll(onDatagram, FRAGMENT_LIMIT);
                if (handoff != null) {
                    work += handoff.replies.poll(onHandoffDatagram, FRAGMENT_LIMIT);
                }
            } finally {
                polling = false;
                retired.forEach(CloseHelper::quietClose);
                retired.clear();
            }
        }
        switch (state) {
            case CONNECTING:
            case CHALLENGED:
                return work + handshakeTimers(nowNanos);
            case CONNECTED:
            case LOST:
                return work + sessionTimers(nowNanos) + handoffTimers(nowNanos);
            default:
                return work;
        }
    }

    /**
     * Leaves: sends a Disconnect (once: if it is lost, the server's idle timeout ends the session) when there is a
     * session, and releases the streams. {@link State#CLOSED} after, unless already DENIED.
     */
    public void disconnect() {
        if (state == State.DENIED || state == State.CLOSED) {
            return;
        }
        if (sessionId != 0 && requests != null) {
            Offers.offer(requests, messages.buffer(), 0, messages.disconnect(sessionId));
        }
        state = State.CLOSED;
        pending.clear(); // unanswered requests are not reported: the client asked to leave
        closeStreams();
    }

    /** {@link #disconnect}: releases the subscription and publication; never closes the shared {@link Aeron}. */
    @Override
    public void close() {
        disconnect();
    }

    /** The view after the newest snapshot applied (null before any); reused: valid until the next {@link #poll}. */
    public EntityStates view() {
        return reader.view();
    }

    /**
     * The index of the client's own entity in {@link #view}, or −1 before its first snapshot. Every snapshot
     * carries the client's own state: the server's authoritative position, to reconcile prediction with (replay
     * {@link #forEachPendingInput} on top of it).
     */
    public int ownIndex() {
        EntityStates view = reader.view();
        int i = view == null || sessionId == 0 ? -1 : view.indexOf(entityId);
        return i < 0 ? -1 : i;
    }

    /**
     * The server time to render at now: the estimated server time ({@link ServerClock}, from the snapshots'
     * server times and arrival times) minus {@link ClientSettings#interpolationDelay}. For {@link #interpolation}.
     */
    public long renderTimeMicros(long nowNanos) {
        return serverClock.serverTimeMicros(nowNanos / 1000) - interpolationDelayMicros;
    }

    /** Entity positions over the last snapshots, for drawing at {@link #renderTimeMicros}. */
    public InterpolationBuffer interpolation() {
        return interpolation;
    }

    public ServerClock serverClock() {
        return serverClock;
    }

    /**
     * Visits the inputs sent after the newest one the server applied ({@link #lastAppliedInput}), oldest first:
     * the ones a predicting client replays on top of the server's state.
     *
     * @return how many were visited
     */
    public int forEachPendingInput(InputHistory.Visitor visitor) {
        return inputs.forEachAfter(lastAppliedInput, visitor);
    }

    public int pendingInputCount() {
        return inputs.countAfter(lastAppliedInput);
    }

    public State state() {
        return state;
    }

    /** The session id (0 before the first SessionAccepted). */
    public long sessionId() {
        return sessionId;
    }

    /** The client's own entity (from SessionAccepted; 0 before). */
    public int entityId() {
        return entityId;
    }

    /** Snapshots per second the server ticks at (from SessionAccepted; 0 before). */
    public int tickHz() {
        return tickHz;
    }

    /** Why the server refused the session; null if not refused or if the handshake timed out. */
    public DenyReason denyReason() {
        return denyReason;
    }

    /** Why the server ended the session; null unless it did. */
    public DisconnectReason disconnectReason() {
        return disconnectReason;
    }

    /** Snapshots applied. */
    public long snapshotsReceived() {
        return snapshotsReceived;
    }

    /** Datagrams dropped for {@code reason}. */
    public long dropped(Drop reason) {
        return drops[reason.ordinal()];
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long datagramsReceived() {
        return datagramsReceived;
    }

    /** The newest input sequence the server applied, 0 before any. */
    public int lastAppliedInput() {
        return lastAppliedInput;
    }

    /** The round trip of the last heartbeat echoed, in microseconds; −1 before any. */
    public long lastHeartbeatRttMicros() {
        return lastHeartbeatRttMicros;
    }

    /** Every entity id other than the client's own that has been in its view (read-only, live). */
    public Set<Integer> entitiesSeen() {
        return Collections.unmodifiableSet(seen);
    }

    /** Display names by entity id, as the snapshots named entering entities (read-only, live). */
    public Map<Integer, String> names() {
        return Collections.unmodifiableMap(names);
    }

    /** The entity's display name, or null if none arrived. */
    public String name(int entityId) {
        return names.get(entityId);
    }

    // --- sending and timers -----------------------------------------------------------------------------------

    /** Opens new streams (then closes any old ones: if opening fails, nothing changed) and starts the handshake. */
    private void startHandshake(byte[] connectToken, long clientNonce) {
        Streams opened = openStreams(endpoint, replyControl);
        closeStreams();
        replies = opened.replies();
        requests = opened.requests();
        token = connectToken.clone();
        nonce = clientNonce;
        state = State.CONNECTING;
        handshakeClockStarted = false; // starts at the next poll, which sends the first step
    }

    /** A gateway's two streams, as this client sees them. */
    private record Streams(Subscription replies, Publication requests) {}

    /**
     * Opens the streams to a gateway: where it replies (a response channel of its reply control) and where requests
     * go (its endpoint, naming that subscription). Closes what it opened if that fails, and rethrows.
     */
    private Streams openStreams(String gatewayEndpoint, String gatewayReplyControl) {
        Subscription replies = aeron.addSubscription(
                "aeron:udp?control-mode=response|control=" + gatewayReplyControl + "|reliable=false", REPLY_STREAM);
        try {
            Publication requests = aeron.addPublication(
                    "aeron:udp?endpoint=" + gatewayEndpoint + "|term-length=" + settings.termLength()
                            + "|response-correlation-id=" + replies.registrationId(),
                    REQUEST_STREAM);
            return new Streams(replies, requests);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(replies);
            throw e;
        }
    }

    /** Repeats the handoff's handshake step when due, and gives the handoff up after its timeouts. */
    private int handoffTimers(long now) {
        PendingHandoff h = handoff;
        if (h == null) {
            return 0;
        }
        if (now - h.startNanos >= (h.cookie == null ? HANDOFF_UNANSWERED_NANOS : HANDOFF_TIMEOUT_NANOS)) {
            failHandoff();
            return 1;
        }
        if (now - h.nextSendNanos < 0) {
            return 0;
        }
        h.nextSendNanos = now + retryNanos;
        int length = h.cookie == null
                ? messages.connectRequest(h.nonce, h.token)
                : messages.challengeResponse(h.nonce, h.cookie, h.token, sessionId);
        Offers.offer(h.requests, messages.buffer(), 0, length); // refused: the next retry repeats it
        return 1;
    }

    /** The new gateway took the session: the client switches to its streams and session. */
    private void completeHandoff(int hz) {
        PendingHandoff h = handoff;
        handoff = null;
        release(requests, replies);
        requests = h.requests;
        replies = h.replies;
        endpoint = h.endpoint;
        replyControl = h.replyControl;
        token = h.token;
        nonce = h.nonce;
        // Its snapshots count from 1 against no baseline; the view, names and interpolation carry over.
        reader = new SnapshotReader(settings.viewsKept());
        unackedTick = 0;
        becomeConnected(hz);
        // A heartbeat in this poll: the new gateway starts the snapshots on the client's first datagram there.
        lastSentNanos = nowNanos - heartbeatNanos;
        handoffs++;
        listener.onHandoff(endpoint, true);
        listener.onConnected(sessionId, entityId, tickHz);
    }

    /** The new gateway refused or did not answer: its streams close, the session stays where it is. */
    private void failHandoff() {
        PendingHandoff h = handoff;
        handoff = null;
        h.close();
        handoffsFailed++;
        listener.onHandoff(h.endpoint, false);
    }

    private int handshakeTimers(long now) {
        if (!handshakeClockStarted) {
            handshakeClockStarted = true;
            handshakeStartNanos = now;
            nextHandshakeSendNanos = now;
        }
        if (now - handshakeStartNanos >= handshakeTimeoutNanos) {
            deny(null);
            return 1;
        }
        if (now - nextHandshakeSendNanos < 0) {
            return 0;
        }
        nextHandshakeSendNanos = now + retryNanos;
        int length = state == State.CONNECTING
                ? messages.connectRequest(nonce, token)
                : messages.challengeResponse(nonce, cookie, token, sessionId);
        send(length, now); // not connected yet, or back pressure: the next retry repeats it
        return 1;
    }

    private int sessionTimers(long now) {
        int work = pending.isEmpty() ? 0 : requestTimers(now);
        if (unackedTick != 0 && now - ackDueNanos >= 0 && state == State.CONNECTED) {
            send(messages.ack(sessionId, unackedTick), now); // lost or refused: the next snapshot's ack covers it
            unackedTick = 0;
            work++;
        }
        if (state == State.CONNECTED && now - lastHeardNanos >= silenceNanos) {
            state = State.LOST;
            listener.onLost();
            work++;
        }
        if (now - lastSentNanos >= heartbeatNanos) {
            send(messages.heartbeat(sessionId, now / 1000), now);
            lastSentNanos = now; // sent or not, the next one is due an interval later
            work++;
        }
        return work;
    }

    /** Repeats due requests and gives up those past their timeout (reporting each). */
    private int requestTimers(long now) {
        int work = 0;
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            PendingRequest request = entry.getValue();
            if (now - request.firstSentNanos >= requestTimeoutNanos) {
                long id = entry.getKey();
                it.remove();
                listener.onResponse(
                        id,
                        ResponseStatus.UNAVAILABLE,
                        Requests.TIMED_OUT + ": no answer in " + requestTimeoutNanos / 1_000_000 + " ms");
                work++;
            } else if (now - request.nextSendNanos >= 0) {
                sendRequest(request, now);
                work++;
            }
        }
        return work;
    }

    private void sendRequest(PendingRequest request, long now) {
        request.nextSendNanos = now + requestRetryNanos; // sent or refused: repeated then either way
        if (Offers.offer(requests, request.datagram, 0, request.datagram.capacity()) > 0) {
            lastSentNanos = now;
        }
    }

    /** Offers {@code messages.buffer()[0, length)}; true if the publication took it. */
    private boolean send(int length, long now) {
        if (Offers.offer(requests, messages.buffer(), 0, length) > 0) {
            lastSentNanos = now;
            return true;
        }
        return false;
    }

    private void deny(DenyReason reason) {
        state = State.DENIED;
        denyReason = reason;
        pending.clear();
        closeStreams();
        listener.onDenied(reason);
    }

    /** Releases the session's streams and a handoff's, if one is under way (it ends unreported). */
    private void closeStreams() {
        release(requests, replies);
        requests = null;
        replies = null;
        if (handoff != null) {
            handoff.close();
            handoff = null;
        }
    }

    /** Closes a stream pair: now, or once the poll that reads them returns. */
    private void release(Publication publication, Subscription subscription) {
        if (polling) {
            retired.add(publication);
            retired.add(subscription);
        } else {
            CloseHelper.closeAll(publication, subscription);
        }
    }

    // --- receiving --------------------------------------------------------------------------------------------

    private void onDatagram(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        datagramsReceived++;
        bytesReceived += length;
        if (state == State.DENIED || state == State.CLOSED) {
            return; // the rest of the poll that ended the session
        }
        if (check.check(buffer, offset, length) != DatagramCheck.Result.OK) {
            drop(Drop.INVALID);
            return;
        }
        lastHeardNanos = nowNanos;
        if (state == State.LOST) {
            state = State.CONNECTED;
        }
        switch (check.templateId()) {
            case ChallengeDecoder.TEMPLATE_ID:
            case SessionAcceptedDecoder.TEMPLATE_ID:
            case SessionDeniedDecoder.TEMPLATE_ID:
                onHandshakeAnswer(buffer, offset, length);
                break;
            case SnapshotDecoder.TEMPLATE_ID:
                onSnapshot(buffer, offset);
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
                onHeartbeat(buffer, offset);
                break;
            case DisconnectDecoder.TEMPLATE_ID:
                onDisconnect(buffer, offset);
                break;
            case ResponseDecoder.TEMPLATE_ID:
                onResponse(buffer, offset);
                break;
            case RedirectDecoder.TEMPLATE_ID:
                onRedirect(buffer, offset);
                break;
            default:
                drop(Drop.UNEXPECTED);
        }
    }

    private void onHandshakeAnswer(DirectBuffer buffer, int offset, int length) {
        if (state != State.CONNECTING && state != State.CHALLENGED) {
            drop(Drop.UNEXPECTED); // a late answer to a repeated step
            return;
        }
        ClientMessages.Answer answer = messages.read(buffer, offset, length);
        if (answer == ClientMessages.Answer.CHALLENGE) {
            cookie = messages.cookie();
            if (state == State.CONNECTING) {
                state = State.CHALLENGED;
                nextHandshakeSendNanos = nowNanos; // answer it in this poll
            }
        } else if (answer == ClientMessages.Answer.ACCEPTED) {
            accepted(acceptedIn.wrapAndApplyHeader(buffer, offset, header).tickHz());
        } else {
            deny(messages.denyReason());
        }
    }

    private void accepted(int hz) {
        if (sessionId != 0 && messages.sessionId() != sessionId) {
            // Another session than the one resumed: the old one's views and inputs mean nothing to it.
            reader = new SnapshotReader(settings.viewsKept());
            changes.update(new EntityStates(1), entityId, onEnter, onLeave); // all leave
            interpolation.clear();
            lastAppliedInput = 0;
            unackedTick = 0;
        }
        becomeConnected(hz);
        listener.onConnected(sessionId, entityId, tickHz);
    }

    /** The session SessionAccepted names (in {@code messages}) is this client's, connected, heard from now. */
    private void becomeConnected(int hz) {
        sessionId = messages.sessionId();
        entityId = messages.entityId();
        tickHz = hz;
        state = State.CONNECTED;
        lastHeardNanos = nowNanos;
    }

    private void onSnapshot(DirectBuffer buffer, int offset) {
        snapshotIn.wrapAndApplyHeader(buffer, offset, header);
        if (!ours(snapshotIn.sessionId())) {
            return;
        }
        long serverTimeMicros = snapshotIn.serverTimeMicros();
        int appliedInput = (int) snapshotIn.lastAppliedInput();
        long inputTimeMicros = snapshotIn.lastInputClientTimeMicros();
        SnapshotReader.Result result = reader.apply(buffer, offset);
        switch (result) {
            case APPLIED:
                break;
            case STALE:
                drop(Drop.STALE);
                return;
            case MISSING_BASELINE:
                drop(Drop.MISSING_BASELINE);
                return;
            default:
                drop(Drop.MALFORMED);
                return;
        }
        snapshotsReceived++;
        if (unackedTick == 0) {
            ackDueNanos = nowNanos + ackDelayNanos;
        }
        unackedTick = reader.tick(); // acknowledged by the next input, or by an Ack once due
        EntityStates view = reader.view();
        long nowMicros = nowNanos / 1000;
        serverClock.observe(serverTimeMicros, nowMicros);
        interpolation.add(serverTimeMicros, view);
        for (int i = 0; i < reader.enteredCount(); i++) {
            named(reader.enteredEntity(i), reader.enteredName(i)); // before onEnter, which reports the name
        }
        changes.update(view, entityId, onEnter, onLeave);
        if (Integer.compareUnsigned(appliedInput, lastAppliedInput) > 0) {
            lastAppliedInput = appliedInput;
            listener.onInputApplied(appliedInput, nowMicros - inputTimeMicros);
        }
        listener.onSnapshot(reader.tick(), view);
    }

    private void onHeartbeat(DirectBuffer buffer, int offset) {
        heartbeatIn.wrapAndApplyHeader(buffer, offset, header);
        long rttMicros = nowNanos / 1000 - heartbeatIn.timeMicros();
        if (ours(heartbeatIn.sessionId()) && rttMicros >= 0) {
            lastHeartbeatRttMicros = rttMicros;
        }
    }

    private void onDisconnect(DirectBuffer buffer, int offset) {
        disconnectIn.wrapAndApplyHeader(buffer, offset, header);
        if (!ours(disconnectIn.sessionId())) {
            return;
        }
        disconnectReason = disconnectIn.reason();
        state = State.CLOSED;
        pending.clear();
        closeStreams();
        listener.onDisconnected(disconnectReason);
    }

    /**
     * A Redirect for this session while connected, with no handoff under way and no request pending, starts the
     * handoff; the gateway's repeats of the one under way are ignored; anything else is dropped (UNEXPECTED, or
     * INVALID for an endpoint that is not host:port).
     */
    private void onRedirect(DirectBuffer buffer, int offset) {
        redirectIn.wrapAndApplyHeader(buffer, offset, header);
        if (!ours(redirectIn.sessionId())) {
            return;
        }
        long redirectNonce = redirectIn.clientNonce();
        if (handoff != null && handoff.nonce == redirectNonce) {
            return; // the gateway repeats it until the handoff is done
        }
        if ((state != State.CONNECTED && state != State.LOST) || handoff != null || !pending.isEmpty()) {
            drop(Drop.UNEXPECTED);
            return;
        }
        // Each at most a datagram's length (DatagramCheck), read in the message's order.
        byte[] endpointBytes = new byte[redirectIn.endpointLength()];
        redirectIn.getEndpoint(endpointBytes, 0, endpointBytes.length);
        byte[] controlBytes = new byte[redirectIn.replyControlLength()];
        redirectIn.getReplyControl(controlBytes, 0, controlBytes.length);
        byte[] redirectToken = new byte[redirectIn.tokenLength()];
        redirectIn.getToken(redirectToken, 0, redirectToken.length);
        String to = hostPort(endpointBytes);
        String toControl = hostPort(controlBytes);
        if (to == null || toControl == null || redirectToken.length == 0) {
            drop(Drop.INVALID);
            return;
        }
        try {
            handoff = new PendingHandoff(to, toControl, redirectToken, redirectNonce, nowNanos);
        } catch (RuntimeException e) {
            drop(Drop.INVALID); // the media driver refused the channel: the session stays where it is
        }
    }

    /** A datagram on a handoff's streams: only the new gateway's handshake answers count. */
    private void onHandoffDatagram(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        datagramsReceived++;
        bytesReceived += length;
        PendingHandoff h = handoff;
        if (h == null) {
            return; // the rest of the poll that ended it
        }
        if (check.check(buffer, offset, length) != DatagramCheck.Result.OK) {
            drop(Drop.INVALID);
            return;
        }
        ClientMessages.Answer answer = messages.read(buffer, offset, length);
        if (answer == ClientMessages.Answer.OTHER) {
            drop(Drop.UNEXPECTED); // not a handshake answer
        } else if (answer == ClientMessages.Answer.CHALLENGE) {
            if (h.cookie == null) {
                h.cookie = messages.cookie();
                h.nextSendNanos = nowNanos; // answer it in this poll
            }
        } else if (answer == ClientMessages.Answer.ACCEPTED) {
            completeHandoff(
                    acceptedIn.wrapAndApplyHeader(buffer, offset, header).tickHz());
        } else {
            failHandoff();
        }
    }

    /**
     * The bytes as UTF-8 when they are {@code host:port} of at most {@link #MAX_ENDPOINT_BYTES}, with nothing that
     * would add parameters to an Aeron channel URI ('|', '?', '='); else null.
     */
    private static String hostPort(byte[] bytes) {
        if (bytes.length > MAX_ENDPOINT_BYTES) {
            return null;
        }
        String s = new String(bytes, StandardCharsets.UTF_8);
        int colon = s.lastIndexOf(':');
        boolean ok =
                colon > 0 && colon < s.length() - 1 && s.indexOf('|') < 0 && s.indexOf('?') < 0 && s.indexOf('=') < 0;
        return ok ? s : null;
    }

    private void onResponse(DirectBuffer buffer, int offset) {
        responseIn.wrapAndApplyHeader(buffer, offset, header);
        if (!ours(responseIn.sessionId())) {
            return;
        }
        long id = responseIn.requestId();
        ResponseStatus status = responseIn.status();
        byte[] message = new byte[responseIn.payloadLength()];
        responseIn.getPayload(message, 0, message.length);
        if (pending.remove(id) == null) {
            drop(Drop.UNEXPECTED); // the answer to a repeat, already reported (or never asked)
            return;
        }
        listener.onResponse(id, status, new String(message, StandardCharsets.UTF_8));
    }

    /** Remembers an entity's name (an empty one is none); reports a new name of an entity already in the view. */
    private void named(int id, String name) {
        if (name.isEmpty()) {
            return;
        }
        String before = names.put(id, name);
        if (id != entityId && changes.contains(id) && !name.equals(before)) {
            listener.onEntityNamed(id, name);
        }
    }

    private void entered(int id) {
        seen.add(id);
        listener.onEnter(id, names.get(id));
    }

    private void left(int id) {
        interpolation.remove(id);
        listener.onLeave(id);
    }

    /** True for a message of this client's session; else counts it as dropped (WRONG_SESSION). */
    private boolean ours(long messageSessionId) {
        if (sessionId != 0 && messageSessionId == sessionId) {
            return true;
        }
        drop(Drop.WRONG_SESSION);
        return false;
    }

    private void drop(Drop reason) {
        drops[reason.ordinal()]++;
    }
}

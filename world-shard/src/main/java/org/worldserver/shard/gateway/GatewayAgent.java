package org.worldserver.shard.gateway;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.Offers;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.Requests;
import org.worldserver.protocol.sbe.AckDecoder;
import org.worldserver.protocol.sbe.ChallengeEncoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectDecoder;
import org.worldserver.protocol.sbe.DisconnectEncoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.HeartbeatDecoder;
import org.worldserver.protocol.sbe.HeartbeatEncoder;
import org.worldserver.protocol.sbe.InputDecoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.RedirectEncoder;
import org.worldserver.protocol.sbe.RequestDecoder;
import org.worldserver.protocol.sbe.ResponseEncoder;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.protocol.sbe.SessionAcceptedEncoder;
import org.worldserver.protocol.sbe.SessionDeniedEncoder;

/**
 * The gateway's receiving duty cycle: one Aeron subscription where every client sends, answered through Aeron
 * response channels bound to each client's image (docs/design/gateway.md). It screens new images (only the
 * configured term length), checks every datagram ({@link DatagramCheck}), runs the handshake ({@link
 * GatewayHandshake}), places accepted avatars in the world ({@link World}, asynchronously), opens each session's
 * outbound {@link SessionStream} (the cells' threads send snapshots through it), moves a resumed session to its
 * client's new address, hands session inputs that pass their guards to the world, executes requests (teleports)
 * once each and answers them, echoes heartbeats, hands sessions to the gateway of the node that runs their cell
 * ({@link SessionHandoffs}) and attaches the sessions handed to it, and ends sessions on Disconnect, idle timeout or
 * shutdown (telling the client why). Every datagram it drops is counted by reason ({@link #dropped()}).
 *
 * <p>Runs on one thread (an Agrona {@code AgentRunner}); {@link World} calls must not block. Placement results
 * come back from other threads through a queue drained by the duty cycle.
 */
public final class GatewayAgent implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAgent.class);
    /** How often sessions are checked for a handoff (their cell's node changes at most every few seconds). */
    private static final long HANDOFF_CHECK_NANOS = 100_000_000L;
    /**
     * How long a session handed off here may wait for its client's first datagram before it is closed unused
     * (without a logout): the client gave up on this gateway, or never got the acceptance.
     */
    static final long CONFIRM_NANOS = 5_000_000_000L;

    /** The gateway's view of the world: placing avatars and moving them. Called on the gateway's thread. */
    public interface World {
        /** Logs the avatar in and places it; completes with its entity id, or fails (the client is denied). */
        CompletionStage<Integer> place(String avatarId);

        /**
         * A session's input passed its guards (units: intent −1..1 of max speed, unit focus vector). It may be held
         * for a batch until a later {@link #flushInputs}.
         */
        void input(String avatarId, int sequence, float intentX, float intentZ, float focusX, float focusZ);

        /** Called on every duty cycle: sends the inputs held whose time has come ({@code nowNanos}: nanoTime). */
        void flushInputs(long nowNanos);

        /**
         * A session asked to teleport its avatar to (x, y, z) metres in its region: completes empty once done, with
         * the refusal's stable code and reason ({@code region-teleport-refused: ...}), or fails (the world did not
         * answer).
         */
        CompletionStage<Optional<String>> teleport(String avatarId, float x, float y, float z);

        /**
         * A session's asset request ({@link AssetRequests}), done as its avatar: completes with the answer (OK and
         * the result, or a refusal's status and {@code "<code>: <detail>"}), or fails (the world did not answer).
         *
         * @param useId an id unique to this request (its session's and its own), for what counts once (a use)
         */
        CompletionStage<Reply> asset(String avatarId, String useId, AssetRequests.AssetRequest request);

        /**
         * A session handed off from another node's gateway: completes with the entity id of the avatar where it is
         * in the world now, without a login or a new placement; fails if it is not in the world (its session ended
         * meanwhile: the client must connect anew).
         */
        CompletionStage<Integer> attach(String avatarId);

        /** The session ended (disconnect, idle timeout): log the avatar out. */
        void left(String avatarId);

        /** The session continues at another node's gateway: forget it here, without a logout. */
        void handedOff(String avatarId);
    }

    /** The world's answer to a request: an OK's result, or a refusal's {@code "<code>: <detail>"}. */
    public record Reply(ResponseStatus status, String message) {}

    /** Why a datagram was dropped without effect. */
    public enum Drop {
        MALFORMED,
        IMAGE_REJECTED,
        UNKNOWN_SESSION,
        WRONG_SOURCE,
        REPLAYED,
        RATE_LIMITED,
        UNEXPECTED_MESSAGE,
        HANDSHAKE
    }

    /** Static settings of the agent. */
    public record Settings(
            String bindEndpoint,
            String replyControl,
            int requestStream,
            int replyStream,
            int termLength,
            int sessionCapacity,
            int inputsPerSecond,
            int snapshotViews,
            int crossingGrace,
            long idleTimeoutNanos,
            int tickHz,
            SessionHandoffs.Settings handoffs,
            long tokenTtlMillis) {}

    private final Aeron aeron;
    private final Settings settings;
    private final GatewayHandshake handshake;
    private final World world;
    private final SessionStreams streams;
    private final Subscription subscription;
    private final SessionTable sessions;
    private final DatagramCheck check = new DatagramCheck();
    private final MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerOut = new MessageHeaderEncoder();
    private final ConnectRequestDecoder connectIn = new ConnectRequestDecoder();
    private final ChallengeResponseDecoder responseIn = new ChallengeResponseDecoder();
    private final InputDecoder inputIn = new InputDecoder();
    private final AckDecoder ackIn = new AckDecoder();
    private final HeartbeatDecoder heartbeatIn = new HeartbeatDecoder();
    private final DisconnectDecoder disconnectIn = new DisconnectDecoder();
    private final RequestDecoder requestIn = new RequestDecoder();
    private final ResponseEncoder responseOut = new ResponseEncoder();
    private final UnsafeBuffer payloadIn = new UnsafeBuffer(0, 0);
    private final float[] teleportTo = new float[3];
    private final HeartbeatEncoder heartbeatOut = new HeartbeatEncoder();
    private final DisconnectEncoder disconnectOut = new DisconnectEncoder();
    private final RedirectEncoder redirectOut = new RedirectEncoder();
    private final SessionHandoffs handoffs;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private final FragmentHandler onFragment = this::onFragment;
    private final ConcurrentLinkedQueue<Image> arrived = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Image> departed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Placed> placements = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Answered> answered = new ConcurrentLinkedQueue<>();
    private final Long2ObjectHashMap<Publication> replies = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Image> rejected = new Long2ObjectHashMap<>();
    /** Token nonces whose avatar is being placed: a repeated ChallengeResponse meanwhile is ignored. */
    private final LongHashSet placing = new LongHashSet();
    /** Open sessions by the nonce of the token that opened them: a repeated ChallengeResponse gets the answer again. */
    private final Long2ObjectHashMap<GatewaySession> byNonce = new Long2ObjectHashMap<>();

    private final Map<Drop, AtomicLong> dropped = new EnumMap<>(Drop.class);
    private final SecureRandom random = new SecureRandom();
    private long nextSweepNanos;
    private long nextHandoffCheckNanos;

    /** The world answered a session's request. */
    private record Answered(long sessionId, long requestId, RequestLedger.Answer answer) {}

    /**
     * A placement, or a handoff's attachment (from the session {@code handedFrom} at another gateway; else 0),
     * finished: the session to open, or why not.
     */
    private record Placed(long imageId, String avatarId, long nonce, long handedFrom, int entityId, Throwable failure) {

        boolean handoff() {
            return handedFrom != 0;
        }

        /** What the client is denied if it failed. */
        DenyReason refusal() {
            return handoff() ? DenyReason.RESUME_REFUSED : DenyReason.AVATAR_UNAVAILABLE;
        }
    }

    public GatewayAgent(
            Aeron aeron, Settings settings, GatewayHandshake handshake, World world, SessionStreams streams) {
        this.aeron = aeron;
        this.settings = settings;
        this.handshake = handshake;
        this.world = world;
        this.streams = streams;
        this.sessions = new SessionTable(settings.sessionCapacity());
        this.handoffs = new SessionHandoffs(
                settings.handoffs(),
                streams,
                (avatarId, nonce, to) ->
                        handshake.issueHandoff(avatarId, nonce, settings.tokenTtlMillis(), to.endpoint()),
                random::nextLong);
        for (Drop d : Drop.values()) {
            dropped.put(d, new AtomicLong());
        }
        this.subscription = aeron.addSubscription(
                // Unreliable: a lost client datagram is skipped, not waited for (every client message is repeated or
                // superseded: handshake steps are retried, the newest input and ack win, heartbeats recur).
                "aeron:udp?endpoint=" + settings.bindEndpoint() + "|reliable=false",
                settings.requestStream(),
                arrived::add,
                departed::add);
        // Pre-binds the reply port that every per-client reply publication shares.
        aeron.addExclusivePublication(replyChannel("prototype"), settings.replyStream());
    }

    /** Where clients send: the subscription's endpoint once bound (an ephemeral port is resolved). */
    public String endpoint() {
        return subscription.resolvedEndpoint();
    }

    /** Datagrams dropped so far, by reason; thread-safe to read. */
    public Map<Drop, AtomicLong> dropped() {
        return dropped;
    }

    /** Open sessions (read on the gateway's thread, or for a rough figure elsewhere). */
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public String roleName() {
        return "world-gateway-receiver";
    }

    @Override
    public int doWork() {
        int work = screenImages() + finishPlacements() + finishRequests();
        work += subscription.poll(onFragment, 256);
        long now = System.nanoTime();
        world.flushInputs(now);
        if (now - nextHandoffCheckNanos > 0) {
            nextHandoffCheckNanos = now + HANDOFF_CHECK_NANOS;
            sessions.closeWhere(s -> handoffStep(s, now), this::handedOff);
        }
        if (now - nextSweepNanos > 0) {
            nextSweepNanos = now + 1_000_000_000L;
            // A session being handed off is silent here (its client handshakes at the other gateway) until the
            // handoff ends: done, the session is closed as handed off; given up, the idle timer applies again.
            sessions.closeWhere(
                    s -> s.idle(now, settings.idleTimeoutNanos())
                            && !s.handoff().handingOff(),
                    s -> ended(s, DisconnectReason.IDLE_TIMEOUT));
        }
        return work;
    }

    /**
     * Handoffs started, done and given up, and sessions superseded by one published elsewhere (see {@link
     * SessionHandoffs}); any thread, rough.
     */
    public long[] handoffCounts() {
        return new long[] {handoffs.started(), handoffs.handedOff(), handoffs.gaveUp(), handoffs.superseded()};
    }

    /**
     * Sends or repeats the session's Redirect when due; true when the session is to be closed without a logout:
     * handed off (another node published it), or handed off here and never confirmed by its client.
     */
    private boolean handoffStep(GatewaySession session, long now) {
        SessionStream stream = session.stream();
        if (stream == null) {
            return session.handedFrom() != 0 && now - session.publishedNanos() > CONFIRM_NANOS;
        }
        SessionHandoffs.State state = session.handoff();
        switch (handoffs.step(
                state, session.avatarId(), stream.cell(), stream.cellRelay(), session.publishedNanos(), now)) {
            case REDIRECT:
                byte[] endpoint = state.gateway().endpoint().getBytes(StandardCharsets.UTF_8);
                byte[] replyControl = state.gateway().replyControl().getBytes(StandardCharsets.UTF_8);
                byte[] token = state.token();
                toSession(
                        session,
                        MessageHeaderEncoder.ENCODED_LENGTH
                                + redirectOut
                                        .wrapAndApplyHeader(out, 0, headerOut)
                                        .sessionId(session.sessionId())
                                        .clientNonce(state.nonce())
                                        .putEndpoint(endpoint, 0, endpoint.length)
                                        .putReplyControl(replyControl, 0, replyControl.length)
                                        .putToken(token, 0, token.length)
                                        .encodedLength());
                return false;
            case HANDED_OFF:
                return true;
            default:
                return false;
        }
    }

    /** The session continues at another node's gateway: closed here without a logout. */
    private void handedOff(GatewaySession session) {
        close(session, DisconnectReason.HANDED_OFF);
        world.handedOff(session.avatarId());
    }

    @Override
    public void onClose() {
        sessions.closeAll(s -> ended(s, DisconnectReason.SERVER_SHUTDOWN));
        replies.values().forEach(Publication::close);
        subscription.close();
    }

    /** Images with another term length than ours are rejected: an untrusted publisher chooses its own. */
    private int screenImages() {
        int work = 0;
        for (Image image; (image = arrived.poll()) != null; work++) {
            if (image.termBufferLength() != settings.termLength()) {
                image.reject("term length must be " + settings.termLength());
                rejected.put(image.correlationId(), image);
                dropped.get(Drop.IMAGE_REJECTED).incrementAndGet();
            }
        }
        for (Image image; (image = departed.poll()) != null; work++) {
            rejected.remove(image.correlationId());
            Publication reply = replies.remove(image.correlationId());
            if (reply != null) {
                reply.close();
            }
        }
        return work;
    }

    private int finishPlacements() {
        int work = 0;
        for (Placed p; (p = placements.poll()) != null; work++) {
            placing.remove(p.nonce());
            Publication reply = replies.get(p.imageId());
            if (reply == null) {
                if (p.failure() == null) {
                    notOpened(p); // the client went away meanwhile
                }
                continue;
            }
            if (p.failure() != null) {
                LOG.info(
                        "Avatar {} could not be placed: {}",
                        p.avatarId(),
                        p.failure().toString());
                send(reply, denied(p.nonce(), p.refusal()));
                continue;
            }
            long sessionId = random.nextLong();
            while (sessionId == 0 || sessions.get(sessionId) != null) { // 0 means "no session" on the wire
                sessionId = random.nextLong();
            }
            GatewaySession session = new GatewaySession(
                    sessionId, p.avatarId(), p.imageId(), settings.inputsPerSecond(), System.nanoTime());
            session.placed(p.entityId());
            session.handedFrom(p.handedFrom());
            if (!sessions.open(session)) {
                notOpened(p);
                send(reply, denied(p.nonce(), DenyReason.SERVER_FULL));
                continue;
            }
            session.openedWith(p.nonce());
            byNonce.put(p.nonce(), session);
            send(reply, accepted(session));
            // After the acceptance: the first snapshot follows it on the same stream. A session handed off here
            // opens its stream (and so is published, superseding the one at the other gateway) only once its client
            // confirms it with a datagram: a client that gave up on this gateway keeps its session where it is.
            if (!p.handoff()) {
                openStream(session, reply);
            }
        }
        return work;
    }

    private void openStream(GatewaySession session, Publication reply) {
        session.stream(streams.open(
                session.sessionId(), session.avatarId(), reply, settings.snapshotViews(), settings.crossingGrace()));
    }

    /**
     * A datagram from a session's client passed its guards: a session handed off here and not yet confirmed opens
     * its stream now (see {@link #finishPlacements}).
     */
    private void confirmed(GatewaySession session) {
        if (session.stream() == null && session.handedFrom() != 0) {
            Publication reply = replies.get(session.sourceKey());
            if (reply != null) {
                long now = System.nanoTime();
                session.published(now);
                openStream(session, reply);
                handoffs.arrived(session.handoff(), now);
            }
        }
    }

    /**
     * A placed avatar whose session did not open: logged out, unless it was a handoff (its session at the gateway
     * it came from is still open, and the client goes back there).
     */
    private void notOpened(Placed p) {
        if (p.handoff()) {
            world.handedOff(p.avatarId());
        } else {
            world.left(p.avatarId());
        }
    }

    private int accepted(GatewaySession session) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new SessionAcceptedEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .sessionId(session.sessionId())
                        .entityId(session.entityId())
                        .tickHz(settings.tickHz())
                        .serverTick(0)
                        .serverTimeMicros(System.currentTimeMillis() * 1000)
                        .encodedLength();
    }

    /**
     * The session is over: its stream closes, the client is told why (best effort), its avatar logs out, unless
     * another session holds the avatar: published by another node meanwhile (the client moved there), or open here
     * (a newer session of the same avatar).
     */
    private void ended(GatewaySession session, DisconnectReason reason) {
        close(session, reason);
        if (streams.sessionElsewhere(session.avatarId()) != null || streams.of(session.avatarId()) != null) {
            world.handedOff(session.avatarId()); // another session, here or on another node, holds the avatar
        } else {
            world.left(session.avatarId());
        }
    }

    /** Closes the session's stream and tells the client why (best effort). */
    private void close(GatewaySession session, DisconnectReason reason) {
        byNonce.remove(session.tokenNonce(), session);
        SessionStream stream = session.stream();
        if (stream != null) {
            streams.close(stream);
        }
        toSession(
                session,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + disconnectOut
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(session.sessionId())
                                .reason(reason)
                                .encodedLength());
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        Image image = (Image) header.context();
        if (rejected.containsKey(image.correlationId())) {
            dropped.get(Drop.IMAGE_REJECTED).incrementAndGet();
            return;
        }
        if (check.check(buffer, offset, length) != DatagramCheck.Result.OK) {
            dropped.get(Drop.MALFORMED).incrementAndGet();
            return;
        }
        long source = image.correlationId();
        switch (check.templateId()) {
            case ConnectRequestDecoder.TEMPLATE_ID:
                onConnect(buffer, offset, length, image);
                break;
            case ChallengeResponseDecoder.TEMPLATE_ID:
                onChallengeResponse(buffer, offset, image);
                break;
            case InputDecoder.TEMPLATE_ID:
                onInput(buffer, offset, source);
                break;
            case AckDecoder.TEMPLATE_ID: {
                ackIn.wrapAndApplyHeader(buffer, offset, headerIn);
                GatewaySession s = sessions.get(ackIn.sessionId());
                if (s == null) {
                    count(Drop.UNKNOWN_SESSION);
                } else if (s.onAck((int) ackIn.serverTick(), source, System.nanoTime())) {
                    confirmed(s);
                } else {
                    count(Drop.WRONG_SOURCE);
                }
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID: {
                heartbeatIn.wrapAndApplyHeader(buffer, offset, headerIn);
                GatewaySession s = sessions.get(heartbeatIn.sessionId());
                if (s == null) {
                    count(Drop.UNKNOWN_SESSION);
                } else if (s.heard(source, System.nanoTime())) {
                    confirmed(s);
                    echo(s, heartbeatIn.timeMicros());
                } else {
                    count(Drop.WRONG_SOURCE);
                }
                break;
            }
            case RequestDecoder.TEMPLATE_ID:
                onRequest(buffer, offset, source);
                break;
            case DisconnectDecoder.TEMPLATE_ID: {
                disconnectIn.wrapAndApplyHeader(buffer, offset, headerIn);
                GatewaySession s = sessions.get(disconnectIn.sessionId());
                if (s == null) {
                    count(Drop.UNKNOWN_SESSION);
                } else if (s.heard(source, System.nanoTime())) {
                    sessions.close(s.sessionId());
                    ended(s, DisconnectReason.CLIENT_QUIT);
                } else {
                    count(Drop.WRONG_SOURCE);
                }
                break;
            }
            default:
                count(Drop.UNEXPECTED_MESSAGE); // server-to-client messages sent to the server
        }
    }

    private void onConnect(DirectBuffer buffer, int offset, int length, Image image) {
        connectIn.wrapAndApplyHeader(buffer, offset, headerIn);
        GatewayHandshake.Answer answer = handshake.onConnectRequest(connectIn, length, address(image));
        if (answer instanceof GatewayHandshake.Challenge c) {
            int challengeLength = MessageHeaderEncoder.ENCODED_LENGTH
                    + new ChallengeEncoder()
                            .wrapAndApplyHeader(out, 0, headerOut)
                            .clientNonce(c.nonce())
                            .putCookie(c.cookie(), 0, c.cookie().length)
                            .encodedLength();
            send(replyFor(image), challengeLength);
        } else if (answer instanceof GatewayHandshake.Denied d) {
            // Only through an existing reply stream: a request without a valid token costs the server no log.
            Publication reply = replies.get(image.correlationId());
            if (reply != null) {
                send(reply, denied(d.nonce(), d.reason()));
            }
            count(Drop.HANDSHAKE);
        } else {
            count(Drop.HANDSHAKE);
        }
    }

    private void onChallengeResponse(DirectBuffer buffer, int offset, Image image) {
        responseIn.wrapAndApplyHeader(buffer, offset, headerIn);
        GatewayHandshake.Answer answer = handshake.onChallengeResponse(responseIn, address(image));
        Publication reply = replies.get(image.correlationId());
        if (answer instanceof GatewayHandshake.Resume resume && reply != null) {
            resume(resume, image, reply);
        } else if (answer instanceof GatewayHandshake.Accept accept && reply != null) {
            placing.add(accept.nonce());
            placeAsync(image, accept.avatarId(), accept.nonce(), 0, world.place(accept.avatarId()));
        } else if (answer instanceof GatewayHandshake.Denied d
                && d.reason() == DenyReason.TOKEN_REPLAYED
                && reply != null
                && (placing.contains(d.nonce()) || byNonce.containsKey(d.nonce()))) {
            repeated(d.nonce(), image, reply);
        } else if (answer instanceof GatewayHandshake.Denied d && reply != null) {
            send(reply, denied(d.nonce(), d.reason()));
            count(Drop.HANDSHAKE);
        } else {
            count(Drop.HANDSHAKE);
        }
    }

    /** Completes a placement or attachment on the gateway's thread ({@link #finishPlacements}). */
    private void placeAsync(
            Image image, String avatarId, long nonce, long handedFrom, CompletionStage<Integer> placement) {
        long imageId = image.correlationId();
        placement.whenComplete((entity, failure) -> placements.add(
                new Placed(imageId, avatarId, nonce, handedFrom, entity == null ? -1 : entity, failure)));
    }

    /**
     * Moves an open session of the same avatar to the client's new address and answers SessionAccepted again (same
     * session and entity; the stream keeps its baselines, which the client also kept). A session not open here,
     * named with a handoff token, is a handoff from another node's gateway: with a nonce not used before, a new
     * session is attached to the avatar where it is ({@link World#attach}). RESUME_REFUSED when a login token names
     * a session not open here (it timed out: the client must connect anew), or the avatar is not in the world.
     */
    private void resume(GatewayHandshake.Resume resume, Image image, Publication reply) {
        GatewaySession session = sessions.get(resume.sessionId());
        if (session == null && resume.handoff()) {
            attach(resume, image, reply);
            return;
        }
        // A login token attaches nothing: it resumes a session open here, of its avatar, or none.
        if (session == null || !session.avatarId().equals(resume.avatarId()) || session.stream() == null) {
            send(reply, denied(resume.nonce(), DenyReason.RESUME_REFUSED));
            count(Drop.HANDSHAKE);
            return;
        }
        session.rebind(image.correlationId(), System.nanoTime());
        session.stream().rebind(reply);
        // Published again: whichever node published the avatar's session last holds it (SessionHandoffs).
        streams.republish(session.stream());
        send(reply, accepted(session));
    }

    /** A handoff's handshake: spends the token's nonce, then attaches a new session to the avatar (asynchronously). */
    private void attach(GatewayHandshake.Resume resume, Image image, Publication reply) {
        switch (handshake.claim(resume)) {
            case FIRST:
                placing.add(resume.nonce());
                placeAsync(
                        image, resume.avatarId(), resume.nonce(), resume.sessionId(), world.attach(resume.avatarId()));
                break;
            case REPLAYED:
                GatewaySession opened = byNonce.get(resume.nonce());
                if (placing.contains(resume.nonce())) {
                    break; // the attachment runs: its acceptance follows
                }
                if (opened != null
                        && opened.handedFrom() == resume.sessionId()
                        && opened.sourceKey() == image.correlationId()) {
                    send(reply, accepted(opened)); // the acceptance was lost: the same again
                } else {
                    send(reply, denied(resume.nonce(), DenyReason.RESUME_REFUSED));
                    count(Drop.HANDSHAKE);
                }
                break;
            default:
                send(reply, denied(resume.nonce(), DenyReason.SERVER_FULL));
                count(Drop.HANDSHAKE);
        }
    }

    /**
     * The client repeated the ChallengeResponse of a token that already opened (or is opening) a session: its
     * SessionAccepted was lost, or not sent yet. The same client (same image) gets the acceptance again; while the
     * placement runs, nothing (the acceptance follows); from anywhere else, TOKEN_REPLAYED.
     */
    private void repeated(long nonce, Image image, Publication reply) {
        GatewaySession session = byNonce.get(nonce);
        if (session != null && session.sourceKey() == image.correlationId()) {
            send(reply, accepted(session));
        } else if (session != null || !placing.contains(nonce)) {
            send(reply, denied(nonce, DenyReason.TOKEN_REPLAYED));
            count(Drop.HANDSHAKE);
        }
    }

    /** Answers a session's Heartbeat with the same time: the client measures its round trip. */
    private void echo(GatewaySession session, long timeMicros) {
        toSession(
                session,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + heartbeatOut
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(session.sessionId())
                                .timeMicros(timeMicros)
                                .encodedLength());
    }

    private void onInput(DirectBuffer buffer, int offset, long source) {
        inputIn.wrapAndApplyHeader(buffer, offset, headerIn);
        GatewaySession session = sessions.get(inputIn.sessionId());
        if (session == null) {
            count(Drop.UNKNOWN_SESSION);
            return;
        }
        switch (session.onInput(inputIn, source, System.nanoTime())) {
            case ROUTE:
                confirmed(session);
                if (session.stream() != null) {
                    session.stream().inputReceived((int) inputIn.sequence(), inputIn.clientTimeMicros());
                }
                int yaw = inputIn.focusYaw();
                world.input(
                        session.avatarId(),
                        (int) inputIn.sequence(),
                        Quantization.intentFraction(inputIn.intentX()),
                        Quantization.intentFraction(inputIn.intentZ()),
                        Quantization.focusX(yaw),
                        Quantization.focusZ(yaw));
                break;
            case WRONG_SOURCE:
                count(Drop.WRONG_SOURCE);
                break;
            case REPLAYED:
                count(Drop.REPLAYED);
                break;
            default:
                count(Drop.RATE_LIMITED);
        }
    }

    /**
     * A Request: a repeat gets the answer the request got (nothing while it still runs); a new one is checked
     * (rate, kind, payload) and executed by the world, its answer sent once the world replies ({@link Requests}).
     */
    private void onRequest(DirectBuffer buffer, int offset, long source) {
        requestIn.wrapAndApplyHeader(buffer, offset, headerIn);
        GatewaySession session = sessions.get(requestIn.sessionId());
        long now = System.nanoTime();
        if (session == null) {
            count(Drop.UNKNOWN_SESSION);
            return;
        }
        if (!session.heard(source, now)) {
            count(Drop.WRONG_SOURCE);
            return;
        }
        confirmed(session);
        long requestId = requestIn.requestId();
        RequestLedger.Answer known = session.requests().find(requestId);
        if (known != null) {
            if (known != RequestLedger.RUNNING) {
                respond(session, requestId, known);
            }
            return;
        }
        int kind = requestIn.kind();
        requestIn.wrapPayload(payloadIn);
        if (!session.requestAllowed(now)) {
            answer(
                    session,
                    requestId,
                    ResponseStatus.UNAVAILABLE,
                    Requests.RATE_LIMITED + ": at most " + GatewaySession.REQUESTS_PER_SECOND + " requests a second");
        } else if (kind == Requests.TELEPORT) {
            if (!Requests.readTeleport(payloadIn, 0, payloadIn.capacity(), teleportTo)) {
                answer(
                        session,
                        requestId,
                        ResponseStatus.BAD_REQUEST,
                        Requests.MALFORMED + ": a teleport is x, y, z: three finite float32, little-endian");
                return;
            }
            execute(
                    session,
                    requestId,
                    world.teleport(session.avatarId(), teleportTo[0], teleportTo[1], teleportTo[2])
                            .thenApply(refusal -> refusal.isPresent()
                                    ? new Reply(ResponseStatus.BAD_REQUEST, refusal.get())
                                    : new Reply(ResponseStatus.OK, "")));
        } else if (AssetRequests.isAssetKind(kind)) {
            AssetRequests.AssetRequest asset = AssetRequests.read(kind, payloadIn, 0, payloadIn.capacity());
            if (asset == null) {
                answer(
                        session,
                        requestId,
                        ResponseStatus.BAD_REQUEST,
                        Requests.MALFORMED + ": the payload does not fit asset request kind " + kind);
                return;
            }
            String useId = session.avatarId() + "-" + Long.toUnsignedString(session.sessionId(), 36) + "-" + requestId;
            execute(session, requestId, world.asset(session.avatarId(), useId, asset));
        } else {
            answer(session, requestId, ResponseStatus.BAD_REQUEST, Requests.UNKNOWN_KIND + ": " + kind);
        }
    }

    /** Runs a checked request: remembered as running, its answer sent once the world replies (on this thread). */
    private void execute(GatewaySession session, long requestId, CompletionStage<Reply> reply) {
        session.requests().record(requestId, RequestLedger.RUNNING);
        long sessionId = session.sessionId();
        reply.whenComplete((r, failure) -> answered.add(new Answered(sessionId, requestId, answerOf(r, failure))));
    }

    private static RequestLedger.Answer answerOf(Reply reply, Throwable failure) {
        if (failure != null) {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String why = cause.getMessage() != null
                    ? cause.getMessage()
                    : "no answer (" + cause.getClass().getSimpleName() + ")";
            return answer(ResponseStatus.UNAVAILABLE, Requests.WORLD_UNAVAILABLE + ": " + why);
        }
        if (reply.status() != ResponseStatus.OK) {
            return answer(reply.status(), reply.message());
        }
        byte[] result = AssetRequests.resultBytes(reply.message());
        return result != null
                ? new RequestLedger.Answer(ResponseStatus.OK, result)
                : answer(
                        ResponseStatus.UNAVAILABLE,
                        AssetRequests.RESULT_TOO_LARGE + ": done, but its result is over "
                                + AssetRequests.MAX_RESULT_BYTES + " bytes");
    }

    private static RequestLedger.Answer answer(ResponseStatus status, String message) {
        return new RequestLedger.Answer(status, Requests.messageBytes(message));
    }

    /** Answers a request now: remembered for its repeats, and sent. */
    private void answer(GatewaySession session, long requestId, ResponseStatus status, String message) {
        RequestLedger.Answer answer = answer(status, message);
        session.requests().record(requestId, answer);
        respond(session, requestId, answer);
    }

    /** Sends the world's answers to requests of sessions still open. */
    private int finishRequests() {
        int work = 0;
        for (Answered a; (a = answered.poll()) != null; work++) {
            GatewaySession session = sessions.get(a.sessionId());
            if (session != null) {
                session.requests().record(a.requestId(), a.answer());
                respond(session, a.requestId(), a.answer());
            }
        }
        return work;
    }

    private void respond(GatewaySession session, long requestId, RequestLedger.Answer answer) {
        toSession(
                session,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + responseOut
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(session.sessionId())
                                .requestId(requestId)
                                .status(answer.status())
                                .putPayload(answer.message(), 0, answer.message().length)
                                .encodedLength());
    }

    /**
     * Offers {@code out[0, length)} to the session's client, on the reply stream of its current address (none once
     * the client's image is gone: the datagram is dropped, as UDP would).
     */
    private void toSession(GatewaySession session, int length) {
        Publication reply = replies.get(session.sourceKey());
        if (reply != null) {
            send(reply, length);
        }
    }

    private Publication replyFor(Image image) {
        Publication reply = replies.get(image.correlationId());
        if (reply == null) {
            reply = aeron.addPublication(replyChannel(Long.toString(image.correlationId())), settings.replyStream());
            replies.put(image.correlationId(), reply);
        }
        return reply;
    }

    private String replyChannel(String correlation) {
        return "aeron:udp?control-mode=response|control=" + settings.replyControl() + "|term-length="
                + settings.termLength() + "|response-correlation-id=" + correlation;
    }

    private int denied(long nonce, DenyReason reason) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new SessionDeniedEncoder()
                        .wrapAndApplyHeader(out, 0, headerOut)
                        .clientNonce(nonce)
                        .reason(reason)
                        .encodedLength();
    }

    /**
     * Offers {@code out[0, length)}. A reply stream just created is not connected yet, and a back-pressured one is
     * full: the datagram is then dropped, and the client repeats its handshake step (it must anyway: UDP loses).
     */
    private void send(Publication reply, int length) {
        Offers.offer(reply, out, 0, length);
    }

    private void count(Drop reason) {
        dropped.get(reason).incrementAndGet();
    }

    private static InetSocketAddress address(Image image) {
        return address(image.sourceIdentity());
    }

    /** An image's source identity ({@code "<ip>:<port>"}, IPv6 without brackets) as an address. */
    static InetSocketAddress address(String sourceIdentity) {
        int colon = sourceIdentity.lastIndexOf(':');
        try {
            return new InetSocketAddress(
                    InetAddress.getByName(sourceIdentity.substring(0, colon)),
                    Integer.parseInt(sourceIdentity.substring(colon + 1)));
        } catch (UnknownHostException | NumberFormatException | IndexOutOfBoundsException e) {
            return new InetSocketAddress(0); // never matches a cookie
        }
    }
}

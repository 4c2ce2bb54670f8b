package org.worldserver.protocol.client;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.protocol.DatagramCheck;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.Requests;
import org.worldserver.protocol.SnapshotComposer;
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
 * A tiny stand-in for the gateway, on real Aeron, driven by the test's thread: answers ConnectRequest with a
 * Challenge and a ChallengeResponse with SessionAccepted (or, naming a session, rebinds it to the new image),
 * records inputs, acks, heartbeats (which it echoes), requests and disconnects, and sends what the test tells it to:
 * snapshots composed by {@link SnapshotComposer} (naming entering entities), disconnects, redirects, raw bytes.
 * One reply publication per client image on a response channel, as the gateway does. With {@link #attachHandoffs},
 * a ChallengeResponse naming a session it does not know opens a new one (a handoff from another gateway).
 */
final class FakeGateway implements AutoCloseable {

    static final byte[] GOOD_TOKEN = "a good connect token".getBytes();
    static final int TICK_HZ = 20;
    private static final byte[] COOKIE = {9, 8, 7, 6};

    /** One session, as the server keeps it. */
    static final class Session {
        final long id;
        final int entityId;
        final SnapshotComposer composer;
        final List<Integer> acks = new ArrayList<>();
        /** Acknowledgements carried by inputs. */
        final List<Integer> inputAcks = new ArrayList<>();

        final Map<Integer, Long> inputs = new HashMap<>();
        final List<Long> heartbeats = new ArrayList<>();
        /** Every Request datagram received, repeats included: "id kind x,y,z" for teleports, else "id kind". */
        final List<String> requests = new ArrayList<>();

        Publication reply;
        int tick;
        int resumes;
        boolean disconnected;

        Session(long id, int entityId) {
            this.id = id;
            this.entityId = entityId;
            this.composer = new SnapshotComposer(id, 8);
        }
    }

    private final Aeron aeron;
    private final String replyControl;
    private final Subscription requests;
    private final Publication prototype;
    private final Map<Long, Publication> replyByImage = new HashMap<>();
    private final Map<Long, Session> sessions = new HashMap<>();
    private final Map<Integer, byte[]> names = new HashMap<>();
    private final DatagramCheck check = new DatagramCheck();
    private final MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerOut = new MessageHeaderEncoder();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private long nextSessionId = 0x5E55_0000_0001L;
    private int nextEntityId = 7;
    /** Image correlation ids of accepted handshakes, in order. */
    final List<Long> acceptedImages = new ArrayList<>();
    /** The last snapshot datagram sent. */
    byte[] lastSnapshot;
    /** Whether a resume naming an unknown session opens a new session (a handoff) rather than being refused. */
    boolean attachHandoffs;

    FakeGateway(Aeron aeron, String replyControl) {
        this.aeron = aeron;
        this.replyControl = replyControl;
        this.requests = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", WorldClient.REQUEST_STREAM);
        this.prototype = aeron.addExclusivePublication(replyChannel("prototype"), WorldClient.REPLY_STREAM);
    }

    /** Where clients send: the subscription's endpoint, waiting until it is bound (its port is ephemeral). */
    String endpoint() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String endpoint;
        while ((endpoint = requests.resolvedEndpoint()) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway's subscription did not bind");
            }
            Thread.onSpinWait();
        }
        return endpoint;
    }

    int work() {
        return requests.poll(this::onFragment, 16);
    }

    Session session(long id) {
        return sessions.get(id);
    }

    /** The server forgets the session (as after its resume grace): a resume naming it is refused. */
    void forget(Session s) {
        sessions.remove(s.id);
    }

    /** Composes and sends the session's next snapshot; returns its tick. */
    int snapshot(Session s, long serverTimeMicros, EntityStates updates, IntPredicate stillKnown, int appliedInput) {
        int tick = ++s.tick;
        long inputTime = s.inputs.getOrDefault(appliedInput, 0L);
        int length = s.composer.compose(
                tick, serverTimeMicros, appliedInput, inputTime, updates, stillKnown, names::get, out, 0);
        lastSnapshot = Arrays.copyOf(out.byteArray(), length);
        deliver(s.reply, length);
        return tick;
    }

    /** The display name snapshots give {@code entityId} when it enters a view. */
    void name(int entityId, String name) {
        names.put(entityId, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The session's next snapshot is whole (no baseline), as after a change of region: it names every entity. */
    void restart(Session s) {
        s.composer.restart(s.tick + 1);
    }

    void disconnect(Session s, DisconnectReason reason) {
        deliver(
                s.reply,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + new DisconnectEncoder()
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(s.id)
                                .reason(reason)
                                .encodedLength());
    }

    /** Answers request {@code requestId} of the session. */
    void respond(Session s, long requestId, ResponseStatus status, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        deliver(
                s.reply,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + new ResponseEncoder()
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(s.id)
                                .requestId(requestId)
                                .status(status)
                                .putPayload(bytes, 0, bytes.length)
                                .encodedLength());
    }

    /** Tells the session's client to continue at another gateway, with {@code token} bound to {@code nonce}. */
    void redirect(long sessionId, Session via, String endpoint, String replyControl, long nonce, byte[] token) {
        byte[] to = endpoint.getBytes(StandardCharsets.UTF_8);
        byte[] control = replyControl.getBytes(StandardCharsets.UTF_8);
        deliver(
                via.reply,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + new RedirectEncoder()
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(sessionId)
                                .clientNonce(nonce)
                                .putEndpoint(to, 0, to.length)
                                .putReplyControl(control, 0, control.length)
                                .putToken(token, 0, token.length)
                                .encodedLength());
    }

    String replyControl() {
        return replyControl;
    }

    /** Sends {@code bytes} as they are. */
    void raw(Session s, byte[] bytes) {
        out.putBytes(0, bytes);
        deliver(s.reply, bytes.length);
    }

    private void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        Image image = (Image) header.context();
        if (check.check(buffer, offset, length) != DatagramCheck.Result.OK) {
            throw new AssertionError("the client sent an invalid datagram: " + check.check(buffer, offset, length));
        }
        switch (check.templateId()) {
            case ConnectRequestDecoder.TEMPLATE_ID: {
                ConnectRequestDecoder request =
                        new ConnectRequestDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                byte[] token = new byte[request.tokenLength()];
                request.getToken(token, 0, token.length);
                Publication reply = replyFor(image);
                if (!Arrays.equals(token, GOOD_TOKEN)) {
                    denied(reply, request.clientNonce(), DenyReason.TOKEN_INVALID);
                    break;
                }
                send(
                        reply,
                        MessageHeaderEncoder.ENCODED_LENGTH
                                + new ChallengeEncoder()
                                        .wrapAndApplyHeader(out, 0, headerOut)
                                        .clientNonce(request.clientNonce())
                                        .putCookie(COOKIE, 0, COOKIE.length)
                                        .encodedLength());
                break;
            }
            case ChallengeResponseDecoder.TEMPLATE_ID:
                onChallengeResponse(new ChallengeResponseDecoder().wrapAndApplyHeader(buffer, offset, headerIn), image);
                break;
            case InputDecoder.TEMPLATE_ID: {
                InputDecoder input = new InputDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                Session s = sessions.get(input.sessionId());
                s.inputs.put((int) input.sequence(), input.clientTimeMicros());
                if (input.ackedTick() != 0) {
                    s.composer.acknowledge((int) input.ackedTick());
                    s.inputAcks.add((int) input.ackedTick());
                }
                break;
            }
            case AckDecoder.TEMPLATE_ID: {
                AckDecoder ack = new AckDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                Session s = sessions.get(ack.sessionId());
                s.composer.acknowledge((int) ack.serverTick());
                s.acks.add((int) ack.serverTick());
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID: {
                HeartbeatDecoder heartbeat = new HeartbeatDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                Session s = sessions.get(heartbeat.sessionId());
                s.heartbeats.add(heartbeat.timeMicros());
                if (s.reply != null) {
                    send(
                            s.reply,
                            MessageHeaderEncoder.ENCODED_LENGTH
                                    + new HeartbeatEncoder()
                                            .wrapAndApplyHeader(out, 0, headerOut)
                                            .sessionId(s.id)
                                            .timeMicros(heartbeat.timeMicros())
                                            .encodedLength());
                }
                break;
            }
            case RequestDecoder.TEMPLATE_ID: {
                RequestDecoder request = new RequestDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                Session s = sessions.get(request.sessionId());
                String line = request.requestId() + " " + request.kind();
                UnsafeBuffer payload = new UnsafeBuffer(new byte[request.payloadLength()]);
                request.getPayload(payload, 0, payload.capacity());
                float[] xyz = new float[3];
                if (request.kind() == Requests.TELEPORT && Requests.readTeleport(payload, 0, payload.capacity(), xyz)) {
                    line += " " + xyz[0] + "," + xyz[1] + "," + xyz[2];
                }
                s.requests.add(line);
                break;
            }
            case DisconnectDecoder.TEMPLATE_ID: {
                DisconnectDecoder disconnect = new DisconnectDecoder().wrapAndApplyHeader(buffer, offset, headerIn);
                sessions.get(disconnect.sessionId()).disconnected = true;
                break;
            }
            default:
                throw new AssertionError("unexpected template " + check.templateId());
        }
    }

    private void onChallengeResponse(ChallengeResponseDecoder response, Image image) {
        long nonce = response.clientNonce();
        long resume = response.resumeSessionId();
        byte[] cookie = new byte[response.cookieLength()];
        response.getCookie(cookie, 0, cookie.length);
        Publication reply = replyFor(image);
        if (!Arrays.equals(cookie, COOKIE)) {
            denied(reply, nonce, DenyReason.CHALLENGE_FAILED);
            return;
        }
        Session s;
        if (resume == 0) {
            s = sessions.values().stream()
                    .filter(x -> x.reply == reply)
                    .findFirst()
                    .orElse(null); // a repeated ChallengeResponse: the same session again
            if (s == null) {
                s = new Session(nextSessionId++, nextEntityId++);
                sessions.put(s.id, s);
            }
        } else {
            s = sessions.get(resume);
            if (s == null && attachHandoffs) {
                s = sessions.values().stream()
                        .filter(x -> x.reply == reply)
                        .findFirst()
                        .orElse(null); // a repeated ChallengeResponse of the handoff
                if (s == null) {
                    s = new Session(nextSessionId++ + 0x1000, nextEntityId++);
                    sessions.put(s.id, s);
                }
            } else if (s == null) {
                denied(reply, nonce, DenyReason.RESUME_REFUSED);
                return;
            } else if (s.reply != reply) {
                s.resumes++;
            }
        }
        s.reply = reply;
        acceptedImages.add(image.correlationId());
        send(
                reply,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + new SessionAcceptedEncoder()
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .sessionId(s.id)
                                .entityId(s.entityId)
                                .tickHz(TICK_HZ)
                                .serverTick(0)
                                .serverTimeMicros(0)
                                .encodedLength());
    }

    private void denied(Publication reply, long nonce, DenyReason reason) {
        send(
                reply,
                MessageHeaderEncoder.ENCODED_LENGTH
                        + new SessionDeniedEncoder()
                                .wrapAndApplyHeader(out, 0, headerOut)
                                .clientNonce(nonce)
                                .reason(reason)
                                .encodedLength());
    }

    /** The session stops hearing its client's replies path: nothing more is sent to it until it resumes. */
    void silence(Session s) {
        s.reply = null;
    }

    private Publication replyFor(Image image) {
        return replyByImage.computeIfAbsent(
                image.correlationId(),
                id -> aeron.addPublication(replyChannel(Long.toString(id)), WorldClient.REPLY_STREAM));
    }

    private String replyChannel(String correlation) {
        return "aeron:udp?control-mode=response|control=" + replyControl + "|term-length=65536"
                + "|response-correlation-id=" + correlation;
    }

    /**
     * Offers {@code out[0, length)} on {@code reply}. A reply stream just created may not be connected yet: the
     * datagram is then dropped, as the gateway does (the client repeats its handshake step).
     */
    private void send(Publication reply, int length) {
        if (reply != null) {
            reply.offer(out, 0, length);
        }
    }

    /** Offers {@code out[0, length)} until {@code reply} takes it (it is connected: the session was accepted on it). */
    private void deliver(Publication reply, int length) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (reply.offer(out, 0, length) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the reply stream does not take datagrams");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        replyByImage.values().forEach(CloseHelper::quietClose);
        CloseHelper.quietCloseAll(prototype, requests);
    }
}

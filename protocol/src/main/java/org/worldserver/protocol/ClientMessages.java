package org.worldserver.protocol;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.worldserver.protocol.sbe.AckEncoder;
import org.worldserver.protocol.sbe.ChallengeDecoder;
import org.worldserver.protocol.sbe.ChallengeResponseEncoder;
import org.worldserver.protocol.sbe.ConnectRequestEncoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectEncoder;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.HeartbeatEncoder;
import org.worldserver.protocol.sbe.InputEncoder;
import org.worldserver.protocol.sbe.MessageHeaderDecoder;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.RequestEncoder;
import org.worldserver.protocol.sbe.SessionAcceptedDecoder;
import org.worldserver.protocol.sbe.SessionDeniedDecoder;

/**
 * The client's side of the wire, for the SDK, bots and tests: writes each client message into one reused buffer
 * (returning its length, ready to offer), and reads the server's handshake answers. Quantises on the way out
 * ({@link Quantization}). Not thread-safe: one per client.
 */
public final class ClientMessages {

    /** Padding that keeps a ConnectRequest at least as large as any Challenge it may get back. */
    private static final byte[] ZEROS = new byte[32];

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProtocolLimits.MAX_DATAGRAM_BYTES]);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerIn = new MessageHeaderDecoder();
    private final DatagramCheck check = new DatagramCheck();
    private final ChallengeDecoder challenge = new ChallengeDecoder();
    private final SessionAcceptedDecoder accepted = new SessionAcceptedDecoder();
    private final SessionDeniedDecoder denied = new SessionDeniedDecoder();

    // What the last handshake answer read said.
    private byte[] cookie = new byte[0];
    private long sessionId;
    private int entityId;
    private DenyReason denyReason;

    /** What a server datagram was, as far as the handshake is concerned. */
    public enum Answer {
        CHALLENGE,
        ACCEPTED,
        DENIED,
        /** Something else (a snapshot, ...), or not a valid datagram. */
        OTHER
    }

    /** The buffer every method writes into, from offset 0. */
    public DirectBuffer buffer() {
        return buffer;
    }

    public int connectRequest(long nonce, byte[] token) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new ConnectRequestEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .protocolVersion(ProtocolLimits.PROTOCOL_VERSION)
                        .clientNonce(nonce)
                        .putToken(token, 0, token.length)
                        .putPadding(ZEROS, 0, ZEROS.length)
                        .encodedLength();
    }

    /** @param resumeSessionId 0 for a new session; else the session to resume from this address */
    public int challengeResponse(long nonce, byte[] challengeCookie, byte[] token, long resumeSessionId) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new ChallengeResponseEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .clientNonce(nonce)
                        .resumeSessionId(resumeSessionId)
                        .putCookie(challengeCookie, 0, challengeCookie.length)
                        .putToken(token, 0, token.length)
                        .encodedLength();
    }

    /**
     * @param intentX movement intent east, −1..1 of the region's maximum speed; {@code intentZ} north
     * @param focusX focus direction east (any length); {@code focusZ} north
     * @param ackedTick the newest snapshot applied, acknowledged with the input; 0: none
     */
    public int input(
            long session,
            int sequence,
            long clientTimeMicros,
            float intentX,
            float intentZ,
            float focusX,
            float focusZ,
            int ackedTick) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new InputEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .sessionId(session)
                        .sequence(sequence)
                        .clientTimeMicros(clientTimeMicros)
                        .intentX(Quantization.intent(intentX))
                        .intentZ(Quantization.intent(intentZ))
                        .focusYaw(Quantization.yaw(focusX, focusZ))
                        .ackedTick(ackedTick & 0xFFFFFFFFL)
                        .encodedLength();
    }

    public int ack(long session, int serverTick) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new AckEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .sessionId(session)
                        .serverTick(serverTick)
                        .encodedLength();
    }

    public int heartbeat(long session, long timeMicros) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new HeartbeatEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .sessionId(session)
                        .timeMicros(timeMicros)
                        .encodedLength();
    }

    public int disconnect(long session) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new DisconnectEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .sessionId(session)
                        .reason(DisconnectReason.CLIENT_QUIT)
                        .encodedLength();
    }

    /**
     * A teleport request ({@link Requests#TELEPORT}) to x (east), y (up), z (north), metres in the avatar's region.
     *
     * @param requestId chosen by the client, unique within the session; a repeat of the same request uses it again
     */
    public int teleport(long session, long requestId, float x, float y, float z) {
        int length = Requests.putTeleport(scratch, 0, x, y, z);
        return request(session, requestId, Requests.TELEPORT, scratch, length);
    }

    /**
     * A request of any kind ({@link Requests}, {@link AssetRequests}) with its payload.
     *
     * @param requestId chosen by the client, unique within the session; a repeat of the same request uses it again
     */
    public int request(long session, long requestId, int kind, byte[] payload) {
        return request(session, requestId, kind, new UnsafeBuffer(payload), payload.length);
    }

    private int request(long session, long requestId, int kind, DirectBuffer payload, int length) {
        return MessageHeaderEncoder.ENCODED_LENGTH
                + new RequestEncoder()
                        .wrapAndApplyHeader(buffer, 0, header)
                        .sessionId(session)
                        .requestId(requestId)
                        .kind(kind)
                        .putPayload(payload, 0, length)
                        .encodedLength();
    }

    /**
     * Reads a datagram from the server: a Challenge ({@link #cookie()}), SessionAccepted ({@link #sessionId()},
     * {@link #entityId()}), SessionDenied ({@link #denyReason()}), or anything else. Never throws.
     */
    public Answer read(DirectBuffer datagram, int offset, int length) {
        if (check.check(datagram, offset, length) != DatagramCheck.Result.OK) {
            return Answer.OTHER;
        }
        switch (check.templateId()) {
            case ChallengeDecoder.TEMPLATE_ID: {
                ChallengeDecoder c = challenge.wrapAndApplyHeader(datagram, offset, headerIn);
                cookie = new byte[c.cookieLength()];
                c.getCookie(cookie, 0, cookie.length);
                return Answer.CHALLENGE;
            }
            case SessionAcceptedDecoder.TEMPLATE_ID: {
                SessionAcceptedDecoder a = accepted.wrapAndApplyHeader(datagram, offset, headerIn);
                sessionId = a.sessionId();
                entityId = a.entityId();
                return Answer.ACCEPTED;
            }
            case SessionDeniedDecoder.TEMPLATE_ID:
                denyReason =
                        denied.wrapAndApplyHeader(datagram, offset, headerIn).reason();
                return Answer.DENIED;
            default:
                return Answer.OTHER;
        }
    }

    /** The cookie of the last Challenge read. */
    public byte[] cookie() {
        return cookie.clone();
    }

    /** The session of the last SessionAccepted read. */
    public long sessionId() {
        return sessionId;
    }

    /** The client's own entity id, from the last SessionAccepted read. */
    public int entityId() {
        return entityId;
    }

    /** Why the last SessionDenied read refused. */
    public DenyReason denyReason() {
        return denyReason;
    }
}

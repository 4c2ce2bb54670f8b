package org.worldserver.shard.gateway;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.sbe.ChallengeEncoder;
import org.worldserver.protocol.sbe.ChallengeResponseDecoder;
import org.worldserver.protocol.sbe.ConnectRequestDecoder;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.MessageHeaderEncoder;
import org.worldserver.protocol.sbe.SessionDeniedEncoder;

/**
 * The rules of the UDP handshake, without I/O: what the gateway answers to a ConnectRequest and to a
 * ChallengeResponse from a source address. Stateless until the end (the cookie carries the proof, the token is
 * sent twice); the one state is the registry of used token nonces, so a token opens one session.
 *
 * <pre>
 * ConnectRequest(version, nonce, token, padding) from S
 *   version ≠ ours → Denied(VERSION_UNSUPPORTED)     token bad or for another nonce → Denied(TOKEN_INVALID)
 *   token expired → Denied(TOKEN_EXPIRED)            request smaller than the Challenge → dropped (no amplification)
 *   else → Challenge(nonce, cookie bound to S and nonce)
 * ChallengeResponse(nonce, cookie, token) from S
 *   cookie not for S and nonce, or stale → Denied(CHALLENGE_FAILED)       token checks as above
 *   resumeSessionId ≠ 0 → Resume(avatar, session): the gateway moves that session of that avatar to S
 *                          (a network drop; no nonce check: the token already opened the session), or, with a
 *                          handoff token, attaches a new session here to the avatar where it is (a handoff from
 *                          another node's gateway: then the nonce must be new, {@link #claim})
 *   a handoff token with resumeSessionId = 0 → Denied(TOKEN_INVALID)
 *   token used before → Denied(TOKEN_REPLAYED)      too many live tokens → Denied(SERVER_FULL)
 *   else → Accept(avatar, nonce): the gateway opens the session
 * </pre>
 *
 * <p><b>Two kinds of token.</b> Login tokens ({@code POST /sessions}) are signed with the token key. Handoff
 * tokens (a Redirect's) are signed with a key derived from the token key and the endpoint of the gateway they are
 * for ({@link #handoffKey}): one verifies only at that gateway, can only attach a session there (never open a new
 * login), and a login token can never attach.
 *
 * A Denied answer (17 bytes) is never larger than the request it answers. Not thread-safe: the receiver's.
 */
public final class GatewayHandshake {

    /** Bytes of a Challenge datagram with a cookie. */
    public static final int CHALLENGE_BYTES = MessageHeaderEncoder.ENCODED_LENGTH
            + ChallengeEncoder.BLOCK_LENGTH
            + ChallengeEncoder.cookieHeaderLength()
            + ChallengeCookies.COOKIE_BYTES;

    /** Bytes of a SessionDenied datagram. */
    public static final int DENIED_BYTES = MessageHeaderEncoder.ENCODED_LENGTH + SessionDeniedEncoder.BLOCK_LENGTH;

    /** What to do with a handshake datagram. */
    public sealed interface Answer {}

    /** Send a Challenge with this cookie. */
    public record Challenge(long nonce, byte[] cookie) implements Answer {}

    /** Send SessionDenied with this reason. */
    public record Denied(long nonce, DenyReason reason) implements Answer {}

    /** Send nothing; count it under {@code reason}. */
    public record Dropped(String reason) implements Answer {}

    /**
     * The client proved its token and its new address: move its open session {@code sessionId} there.
     *
     * @param handoff whether a handoff token proved it (only those may attach a session not open here)
     */
    public record Resume(String avatarId, long nonce, long sessionId, long tokenExpiresAtMillis, boolean handoff)
            implements Answer {}

    /** The client proved its token and its address: open a session for this avatar. */
    public record Accept(String avatarId, long nonce, long tokenExpiresAtMillis) implements Answer {}

    private final byte[] tokenKey;
    /** The key of handoff tokens for this gateway, or null (it accepts none). */
    private final byte[] handoffKey;

    private final ChallengeCookies cookies;
    private final TokenNonces nonces;
    private final LongSupplier clockMillis;
    private final byte[] tokenScratch = new byte[ConnectToken.MAX_BYTES];
    private final byte[] cookieScratch = new byte[ChallengeCookies.COOKIE_BYTES];
    /** Whether the last token verified was a handoff token. */
    private boolean handoffToken;

    /**
     * @param ownEndpoint this gateway's endpoint as other gateways name it in a Redirect ({@code host:port}), or
     *     null to accept no handoff tokens
     */
    public GatewayHandshake(
            byte[] tokenKey,
            String ownEndpoint,
            ChallengeCookies cookies,
            TokenNonces nonces,
            LongSupplier clockMillis) {
        this.tokenKey = tokenKey.clone();
        this.handoffKey = ownEndpoint == null ? null : handoffKey(tokenKey, ownEndpoint);
        this.cookies = cookies;
        this.nonces = nonces;
        this.clockMillis = clockMillis;
    }

    /** @param datagramLength the request's whole length (header included) */
    public Answer onConnectRequest(ConnectRequestDecoder request, int datagramLength, InetSocketAddress source) {
        long nonce = request.clientNonce();
        if (request.protocolVersion() != ProtocolLimits.PROTOCOL_VERSION) {
            return new Denied(nonce, DenyReason.VERSION_UNSUPPORTED);
        }
        int tokenLength = request.tokenLength();
        if (tokenLength > tokenScratch.length) {
            request.skipToken();
            return new Denied(nonce, DenyReason.TOKEN_INVALID);
        }
        request.getToken(tokenScratch, 0, tokenLength);
        long now = clockMillis.getAsLong();
        ConnectToken.Verified token = verify(tokenLength, nonce, now);
        if (!token.ok()) {
            return new Denied(nonce, reason(token.problem()));
        }
        if (datagramLength < CHALLENGE_BYTES) {
            return new Dropped("request-not-padded");
        }
        return new Challenge(nonce, cookies.issue(source, nonce, now));
    }

    public Answer onChallengeResponse(ChallengeResponseDecoder response, InetSocketAddress source) {
        long nonce = response.clientNonce();
        int cookieLength = response.cookieLength();
        if (cookieLength != ChallengeCookies.COOKIE_BYTES) {
            return new Denied(nonce, DenyReason.CHALLENGE_FAILED);
        }
        response.getCookie(cookieScratch, 0, cookieLength);
        long now = clockMillis.getAsLong();
        if (!cookies.verify(cookieScratch, source, nonce, now)) {
            return new Denied(nonce, DenyReason.CHALLENGE_FAILED);
        }
        int tokenLength = response.tokenLength();
        if (tokenLength > tokenScratch.length) {
            return new Denied(nonce, DenyReason.TOKEN_INVALID);
        }
        response.getToken(tokenScratch, 0, tokenLength);
        ConnectToken.Verified token = verify(tokenLength, nonce, now);
        if (!token.ok()) {
            return new Denied(nonce, reason(token.problem()));
        }
        if (response.resumeSessionId() != 0) {
            return new Resume(
                    token.token().avatarId(),
                    nonce,
                    response.resumeSessionId(),
                    token.token().expiresAtMillis(),
                    handoffToken);
        }
        if (handoffToken) {
            return new Denied(nonce, DenyReason.TOKEN_INVALID); // a handoff token opens no new login
        }
        switch (nonces.firstUse(nonce, token.token().expiresAtMillis(), now)) {
            case REPLAYED:
                return new Denied(nonce, DenyReason.TOKEN_REPLAYED);
            case FULL:
                return new Denied(nonce, DenyReason.SERVER_FULL);
            default:
                return new Accept(token.token().avatarId(), nonce, token.token().expiresAtMillis());
        }
    }

    /**
     * Spends the nonce of a Resume that opens a session here (a handoff): the first use of a nonce, REPLAYED after
     * it, FULL when too many live tokens are remembered.
     */
    public TokenNonces.Use claim(Resume resume) {
        return nonces.firstUse(resume.nonce(), resume.tokenExpiresAtMillis(), clockMillis.getAsLong());
    }

    /**
     * Signs a handoff token for {@code avatarId} bound to {@code nonce}, valid for {@code ttlMillis} from now, that
     * only the gateway at {@code targetEndpoint} accepts.
     */
    public byte[] issueHandoff(String avatarId, long nonce, long ttlMillis, String targetEndpoint) {
        long now = clockMillis.getAsLong();
        return new ConnectToken(avatarId, nonce, now, now + ttlMillis).sign(handoffKey(tokenKey, targetEndpoint));
    }

    /** The key of handoff tokens for the gateway at {@code endpoint}: HMAC-SHA256(token key, label and endpoint). */
    static byte[] handoffKey(byte[] tokenKey, String endpoint) {
        return derive(tokenKey, "world-handoff-v1\n" + endpoint);
    }

    /** HMAC-SHA256 of {@code label} (UTF-8) under {@code tokenKey}: what the gateway derives from its token key. */
    static byte[] derive(byte[] tokenKey, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tokenKey, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Verifies the token in the scratch buffer as a login token, else as a handoff token for this gateway. */
    private ConnectToken.Verified verify(int length, long nonce, long now) {
        handoffToken = false;
        ConnectToken.Verified login = ConnectToken.verify(tokenScratch, 0, length, tokenKey, nonce, now);
        if (login.problem() != ConnectToken.Problem.FORGED || handoffKey == null) {
            return login;
        }
        ConnectToken.Verified handoff = ConnectToken.verify(tokenScratch, 0, length, handoffKey, nonce, now);
        if (handoff.problem() == ConnectToken.Problem.FORGED) {
            return login;
        }
        handoffToken = true;
        return handoff;
    }

    private static DenyReason reason(ConnectToken.Problem problem) {
        return problem == ConnectToken.Problem.EXPIRED ? DenyReason.TOKEN_EXPIRED : DenyReason.TOKEN_INVALID;
    }
}

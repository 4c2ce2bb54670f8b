package org.worldserver.shard.gateway;

import java.net.InetSocketAddress;
import java.util.function.LongSupplier;
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
 *                          (a network drop; no nonce check: the token already opened the session), or, when the
 *                          session is open at another node's gateway that sent a Redirect, attaches a new session
 *                          here to the avatar where it is (a handoff: then the nonce must be new, {@link #claim})
 *   token used before → Denied(TOKEN_REPLAYED)      too many live tokens → Denied(SERVER_FULL)
 *   else → Accept(avatar, nonce): the gateway opens the session
 * </pre>
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

    /** The client proved its token and its new address: move its open session {@code sessionId} there. */
    public record Resume(String avatarId, long nonce, long sessionId, long tokenExpiresAtMillis) implements Answer {}

    /** The client proved its token and its address: open a session for this avatar. */
    public record Accept(String avatarId, long nonce, long tokenExpiresAtMillis) implements Answer {}

    private final byte[] tokenKey;
    private final ChallengeCookies cookies;
    private final TokenNonces nonces;
    private final LongSupplier clockMillis;
    private final byte[] tokenScratch = new byte[ConnectToken.MAX_BYTES];
    private final byte[] cookieScratch = new byte[ChallengeCookies.COOKIE_BYTES];

    public GatewayHandshake(byte[] tokenKey, ChallengeCookies cookies, TokenNonces nonces, LongSupplier clockMillis) {
        this.tokenKey = tokenKey.clone();
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
        ConnectToken.Verified token = ConnectToken.verify(tokenScratch, 0, tokenLength, tokenKey, nonce, now);
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
        ConnectToken.Verified token = ConnectToken.verify(tokenScratch, 0, tokenLength, tokenKey, nonce, now);
        if (!token.ok()) {
            return new Denied(nonce, reason(token.problem()));
        }
        if (response.resumeSessionId() != 0) {
            return new Resume(
                    token.token().avatarId(),
                    nonce,
                    response.resumeSessionId(),
                    token.token().expiresAtMillis());
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

    /** Signs a connect token for {@code avatarId} bound to {@code nonce}, valid for {@code ttlMillis} from now. */
    public byte[] issue(String avatarId, long nonce, long ttlMillis) {
        long now = clockMillis.getAsLong();
        return new ConnectToken(avatarId, nonce, now, now + ttlMillis).sign(tokenKey);
    }

    private static DenyReason reason(ConnectToken.Problem problem) {
        return problem == ConnectToken.Problem.EXPIRED ? DenyReason.TOKEN_EXPIRED : DenyReason.TOKEN_INVALID;
    }
}

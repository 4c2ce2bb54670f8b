package org.worldserver.shard.gateway;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The stateless cookie of the UDP handshake: proof that a client receives at the address it sends from. The
 * server answers a ConnectRequest with a Challenge holding a cookie (keeping no state), and opens a session only
 * when the same cookie comes back in a ChallengeResponse from the same address and port, for the same nonce,
 * within {@code lifetime}. A spoofed source address never sees the cookie, so it cannot open a session.
 *
 * <pre>
 * cookie = issuedAtSeconds:int32 | HMAC-SHA256(k, address | port | nonce | issuedAtSeconds)[0..16)
 * k      = HMAC-SHA256(token key, "world-challenge-cookie-v1")   (a key of its own, derived from the token key)
 * </pre>
 *
 * 20 bytes. Verification is constant-time and never throws on bad bytes. Thread-safe (a Mac per thread).
 */
public final class ChallengeCookies {

    public static final int COOKIE_BYTES = 4 + 16;

    private final byte[] key;
    private final long lifetimeMillis;
    private final ThreadLocal<Mac> macs;

    /**
     * @param tokenKey the node's connect-token key ({@link GatewaySettings#tokenKey()})
     * @param lifetimeMillis how long a cookie is accepted after it was issued
     */
    public ChallengeCookies(byte[] tokenKey, long lifetimeMillis) {
        this.key = hmac(tokenKey, "world-challenge-cookie-v1".getBytes(StandardCharsets.US_ASCII));
        this.lifetimeMillis = lifetimeMillis;
        this.macs = ThreadLocal.withInitial(() -> newMac(key));
    }

    /** A cookie for a client at {@code from} that sent {@code nonce}. */
    public byte[] issue(InetSocketAddress from, long nonce, long nowMillis) {
        int issuedAt = (int) (nowMillis / 1000);
        byte[] cookie = new byte[COOKIE_BYTES];
        ByteBuffer.wrap(cookie).putInt(issuedAt);
        System.arraycopy(mac(from, nonce, issuedAt), 0, cookie, 4, 16);
        return cookie;
    }

    /** True if {@code cookie} was issued by this key to {@code from} for {@code nonce} and is still fresh. */
    public boolean verify(byte[] cookie, InetSocketAddress from, long nonce, long nowMillis) {
        if (cookie == null || cookie.length != COOKIE_BYTES || from == null || from.getAddress() == null) {
            return false;
        }
        int issuedAt = ByteBuffer.wrap(cookie).getInt();
        long ageMillis = nowMillis - issuedAt * 1000L;
        // A cookie from the future (beyond the second it was cut to) or older than its lifetime is refused.
        if (ageMillis < 0 || ageMillis > lifetimeMillis + 1000) {
            return false;
        }
        byte[] expected = Arrays.copyOf(mac(from, nonce, issuedAt), 16);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(cookie, 4, COOKIE_BYTES));
    }

    private byte[] mac(InetSocketAddress from, long nonce, int issuedAt) {
        byte[] address = from.getAddress().getAddress();
        ByteBuffer data = ByteBuffer.allocate(address.length + 4 + 8 + 4);
        data.put(address).putInt(from.getPort()).putLong(nonce).putInt(issuedAt);
        Mac mac = macs.get();
        mac.reset();
        return mac.doFinal(data.array());
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        return newMac(key).doFinal(data);
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

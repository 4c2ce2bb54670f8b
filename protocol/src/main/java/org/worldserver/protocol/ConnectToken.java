package org.worldserver.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ticket a client shows in its {@code ConnectRequest}: issued by {@code POST /sessions}, signed by the
 * server with HMAC-SHA256 under a key only servers know, bound to one avatar and to the nonce the client chose,
 * and valid until {@code expiresAtMillis}. The client treats it as opaque bytes; any server node holding the key
 * verifies it without shared state. (Replays of a valid token within its lifetime are stopped by the receiver,
 * which remembers the nonces it accepted until they expire.)
 *
 * <pre>
 * version:uint8 = 1 | avatarIdLength:uint8 | avatarId:UTF-8 (1..64 bytes) | clientNonce:int64
 * | issuedAtMillis:int64 | expiresAtMillis:int64 | mac:32 bytes = HMAC-SHA256(key, everything before it)
 * </pre>
 *
 * Big-endian. At most 122 bytes. {@link #toText} gives it as base64url (no padding) for JSON. A key of fewer than
 * {@value #MIN_KEY_BYTES} bytes is a configuration error (IllegalArgumentException); bad token bytes never throw.
 */
public record ConnectToken(String avatarId, long clientNonce, long issuedAtMillis, long expiresAtMillis) {

    public static final int VERSION = 1;
    public static final int MAX_AVATAR_ID_BYTES = 64;
    private static final int MAC_BYTES = 32;
    private static final int FIXED_BYTES = 2 + 8 + 8 + 8 + MAC_BYTES;
    public static final int MAX_BYTES = FIXED_BYTES + MAX_AVATAR_ID_BYTES;
    /** Keys shorter than this are refused: HMAC-SHA256 wants at least its output size. */
    public static final int MIN_KEY_BYTES = 32;

    public ConnectToken {
        int idBytes = avatarId.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes == 0 || idBytes > MAX_AVATAR_ID_BYTES) {
            throw new IllegalArgumentException("avatar id must be 1.." + MAX_AVATAR_ID_BYTES + " UTF-8 bytes");
        }
        if (expiresAtMillis <= issuedAtMillis) {
            throw new IllegalArgumentException("a token must expire after it is issued");
        }
    }

    /** Why a token was not accepted. */
    public enum Problem {
        /** Not a token of this format (length, version, fields). */
        MALFORMED,
        /** The signature does not verify under the server's key: forged or altered. */
        FORGED,
        EXPIRED,
        /** Signed correctly, but for another nonce than the one the connect request carries. */
        WRONG_NONCE
    }

    /** The outcome of {@link #verify}: the token, or why not. */
    public record Verified(ConnectToken token, Problem problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** The signed bytes. */
    public byte[] sign(byte[] key) {
        byte[] id = avatarId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + id.length);
        b.put((byte) VERSION).put((byte) id.length).put(id);
        b.putLong(clientNonce).putLong(issuedAtMillis).putLong(expiresAtMillis);
        b.put(mac(key, b.array(), b.position()));
        return b.array();
    }

    /**
     * Checks {@code bytes[offset, offset + length)} against {@code key} and the clock: never throws on bad input.
     *
     * @param expectedNonce the nonce of the connect request that carried the token
     * @param nowMillis the verifier's wall clock
     */
    public static Verified verify(
            byte[] bytes, int offset, int length, byte[] key, long expectedNonce, long nowMillis) {
        if (bytes == null
                || offset < 0
                || length < FIXED_BYTES + 1
                || length > MAX_BYTES
                || offset > bytes.length - length) {
            return new Verified(null, Problem.MALFORMED);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        int version = b.get() & 0xFF;
        int idLength = b.get() & 0xFF;
        if (version != VERSION || idLength == 0 || idLength > MAX_AVATAR_ID_BYTES || length != FIXED_BYTES + idLength) {
            return new Verified(null, Problem.MALFORMED);
        }
        int signedLength = length - MAC_BYTES;
        byte[] signed = new byte[signedLength];
        System.arraycopy(bytes, offset, signed, 0, signedLength);
        byte[] given = new byte[MAC_BYTES];
        System.arraycopy(bytes, offset + signedLength, given, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(mac(key, signed, signedLength), given)) { // constant time
            return new Verified(null, Problem.FORGED);
        }
        byte[] id = new byte[idLength];
        b.get(id);
        long nonce = b.getLong();
        long issued = b.getLong();
        long expires = b.getLong();
        if (expires <= issued) {
            return new Verified(null, Problem.MALFORMED);
        }
        ConnectToken token = new ConnectToken(new String(id, StandardCharsets.UTF_8), nonce, issued, expires);
        if (nowMillis >= expires) {
            return new Verified(token, Problem.EXPIRED);
        }
        if (nonce != expectedNonce) {
            return new Verified(token, Problem.WRONG_NONCE);
        }
        return new Verified(token, null);
    }

    /** The signed token as base64url text without padding. */
    public String toText(byte[] key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sign(key));
    }

    /** Bytes of a token in base64url text; empty for text that is not base64url. */
    public static byte[] fromText(String text) {
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] mac(byte[] key, byte[] data, int length) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the token key must have at least " + MIN_KEY_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

package org.worldserver.protocol;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

/**
 * What a client signs with its avatar's Ed25519 identity key to get a connect token from {@code POST /sessions}:
 * the avatar, the nonce its connect request will carry, and its clock. The signed statement is the UTF-8 text
 * {@code "world-session-v1\n<avatar>\n<nonce>\n<timestamp ms>"}. Keys travel as raw bytes in base64 (32-byte
 * public key as registered with the avatar, 32-byte private seed), as RFC 8032 defines them.
 *
 * <p>Uses the JDK's Ed25519 (Java 15+); no other dependency.
 */
public record SessionLogin(String avatarId, long clientNonce, long timestampMillis) {

    public static final int KEY_BYTES = 32;

    /** The bytes that are signed. */
    public byte[] statement() {
        return ("world-session-v1\n" + avatarId + "\n" + clientNonce + "\n" + timestampMillis)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Signs with the 32-byte private seed; the base64 signature for the request. */
    public String sign(byte[] privateSeed) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey(privateSeed));
            s.update(statement());
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /**
     * True if {@code signatureBase64} is this statement signed by the key whose raw public bytes are {@code
     * publicKeyBase64}. False for anything malformed; never throws.
     */
    public boolean verify(String publicKeyBase64, String signatureBase64) {
        try {
            byte[] raw = Base64.getDecoder().decode(publicKeyBase64);
            byte[] signature = Base64.getDecoder().decode(signatureBase64);
            if (raw.length != KEY_BYTES || signature.length != 64) {
                return false;
            }
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey(raw));
            s.update(statement());
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    /** A new identity: {@code [0]} the 32-byte private seed, {@code [1]} the 32-byte public key. */
    public static byte[][] newIdentity() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            return new byte[][] {seed, rawPublicKey((EdECPublicKey) pair.getPublic())};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every JDK since 15", e);
        }
    }

    /** The public key of a private seed, raw. */
    public static byte[] publicKeyOf(byte[] privateSeed) {
        try {
            // Signing derives the public key; the JDK exposes it through a key pair generated from the seed.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(privateSeed));
            return rawPublicKey((EdECPublicKey) generator.generateKeyPair().getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private seed: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(byte[] seed) throws GeneralSecurityException {
        if (seed == null || seed.length != KEY_BYTES) {
            throw new GeneralSecurityException("an Ed25519 private seed has " + KEY_BYTES + " bytes");
        }
        return KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    }

    /** RFC 8032 encoding: y little-endian, the top bit of the last byte is x's parity. */
    private static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
        byte[] bigEndian = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[i] = raw[KEY_BYTES - 1 - i];
        }
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7F;
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
        return KeyFactory.getInstance("Ed25519")
                .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }

    private static byte[] rawPublicKey(EdECPublicKey key) {
        EdECPoint point = key.getPoint();
        byte[] y = point.getY().toByteArray(); // big-endian, maybe with a leading zero
        byte[] raw = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < y.length; i++) {
            raw[i] = y[y.length - 1 - i];
        }
        if (point.isXOdd()) {
            raw[KEY_BYTES - 1] |= (byte) 0x80;
        }
        return raw;
    }

    /** A SecureRandom that hands out one given seed, to derive a key pair from it. */
    private static final class FixedSeed extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            if (seed == null || seed.length != KEY_BYTES) {
                throw new IllegalArgumentException("an Ed25519 private seed has " + KEY_BYTES + " bytes");
            }
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(bytes.length, seed.length));
        }
    }
}

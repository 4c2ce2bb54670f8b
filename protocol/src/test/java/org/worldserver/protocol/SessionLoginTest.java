package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SessionLoginTest {

    private final byte[][] ada = SessionLogin.newIdentity();
    private final String adaPublic = Base64.getEncoder().encodeToString(ada[1]);
    private final SessionLogin login = new SessionLogin("ada-0001", 42L, 1_800_000_000_000L);

    @Test
    void shouldVerifyASignatureByTheAvatarsKeyAndNothingElse() {
        String signature = login.sign(ada[0]);
        assertTrue(login.verify(adaPublic, signature));
        assertFalse(
                new SessionLogin("ada-0001", 43L, login.timestampMillis()).verify(adaPublic, signature), "other nonce");
        assertFalse(
                new SessionLogin("bob-0001", 42L, login.timestampMillis()).verify(adaPublic, signature),
                "other avatar");
        assertFalse(
                new SessionLogin("ada-0001", 42L, login.timestampMillis() + 1).verify(adaPublic, signature),
                "other time");
        byte[][] eve = SessionLogin.newIdentity();
        assertFalse(login.verify(adaPublic, login.sign(eve[0])), "signed by another key");
        assertFalse(login.verify(Base64.getEncoder().encodeToString(eve[1]), signature));
    }

    @Test
    void shouldDeriveTheRegisteredPublicKeyFromThePrivateSeed() {
        assertArrayEquals(ada[1], SessionLogin.publicKeyOf(ada[0]));
    }

    @Property(tries = 300)
    void shouldRefuseGarbageWithoutAnException(@ForAll String publicKey, @ForAll String signature) {
        assertFalse(login.verify(publicKey, signature));
    }

    @Property(tries = 200)
    void shouldRefuseASignatureWithAnyByteChanged(@ForAll byte position, @ForAll byte xor) {
        byte[] signature = Base64.getDecoder().decode(login.sign(ada[0]));
        if (xor == 0) {
            return;
        }
        signature[(position & 0xFF) % signature.length] ^= xor;
        assertFalse(login.verify(adaPublic, Base64.getEncoder().encodeToString(signature)));
    }
}

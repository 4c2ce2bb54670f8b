package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ConnectTokenTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final long NOW = 1_800_000_000_000L;
    private final ConnectToken token = new ConnectToken("ada-0001", 42L, NOW, NOW + 30_000);

    private ConnectToken.Verified verify(byte[] bytes, byte[] key, long nonce, long now) {
        return ConnectToken.verify(bytes, 0, bytes.length, key, nonce, now);
    }

    @Test
    void shouldVerifyATokenItSignedUntilItExpires() {
        byte[] signed = token.sign(KEY);
        assertTrue(signed.length <= ConnectToken.MAX_BYTES);
        ConnectToken.Verified ok = verify(signed, KEY, 42L, NOW + 29_999);
        assertTrue(ok.ok());
        assertEquals(token, ok.token());
        assertEquals(
                ConnectToken.Problem.EXPIRED,
                verify(signed, KEY, 42L, NOW + 30_000).problem());
        assertEquals(
                ConnectToken.Problem.WRONG_NONCE, verify(signed, KEY, 43L, NOW).problem());
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertEquals(
                ConnectToken.Problem.FORGED, verify(signed, otherKey, 42L, NOW).problem());
        assertTrue(
                verify(ConnectToken.fromText(token.toText(KEY)), KEY, 42L, NOW).ok(), "base64url round trip");
        assertEquals(
                ConnectToken.Problem.MALFORMED,
                verify(ConnectToken.fromText("not base64!"), KEY, 42L, NOW).problem());
    }

    /** Any change to any bit of a token makes it fail; none passes as another valid token. */
    @Property(tries = 500)
    void shouldRefuseATokenWithAnyBitChanged(
            @ForAll @IntRange(min = 0, max = 1000) int position, @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] signed = token.sign(KEY);
        signed[position % signed.length] ^= (byte) (1 << bit);
        ConnectToken.Verified result = verify(signed, KEY, 42L, NOW);
        assertFalse(result.ok());
        assertTrue(
                result.problem() == ConnectToken.Problem.FORGED || result.problem() == ConnectToken.Problem.MALFORMED,
                result.toString());
    }

    @Property(tries = 1000)
    void shouldAnswerArbitraryBytesWithoutAnExceptionAndNeverAccept(
            @ForAll @Size(max = 200) byte[] bytes, @ForAll long nonce) {
        assertFalse(verify(bytes, KEY, nonce, NOW).ok());
    }

    @Test
    void shouldRefuseCutOrExtendedTokensAndBadParameters() {
        byte[] signed = token.sign(KEY);
        assertEquals(
                ConnectToken.Problem.MALFORMED,
                verify(Arrays.copyOf(signed, signed.length - 1), KEY, 42L, NOW).problem());
        assertEquals(
                ConnectToken.Problem.MALFORMED,
                verify(Arrays.copyOf(signed, signed.length + 1), KEY, 42L, NOW).problem());
        assertEquals(
                ConnectToken.Problem.MALFORMED,
                ConnectToken.verify(signed, 5, signed.length, KEY, 42L, NOW).problem());
        assertThrows(
                IllegalArgumentException.class, () -> token.sign(new byte[16]), "a short key is a configuration error");
        assertThrows(IllegalArgumentException.class, () -> new ConnectToken("", 1, NOW, NOW + 1));
        assertThrows(IllegalArgumentException.class, () -> new ConnectToken("x".repeat(65), 1, NOW, NOW + 1));
        assertThrows(IllegalArgumentException.class, () -> new ConnectToken("ada", 1, NOW, NOW));
        assertNotEquals(token.toText(KEY), new ConnectToken("ada-0001", 43L, NOW, NOW + 30_000).toText(KEY));
    }
}

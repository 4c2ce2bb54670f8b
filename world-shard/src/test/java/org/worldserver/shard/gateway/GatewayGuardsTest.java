package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The gateway's guards against spoofing, replays and floods, each on its own. */
class GatewayGuardsTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final long NOW = 1_800_000_000_000L;

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void shouldAcceptACookieOnlyFromTheAddressItWasSentToForTheSameNonceWhileFresh() throws Exception {
        ChallengeCookies cookies = new ChallengeCookies(KEY, 10_000);
        InetSocketAddress client = at("127.0.0.5", 50_000);
        byte[] cookie = cookies.issue(client, 42L, NOW);
        assertEquals(ChallengeCookies.COOKIE_BYTES, cookie.length);
        assertTrue(cookies.verify(cookie, client, 42L, NOW + 9_000));
        assertFalse(cookies.verify(cookie, at("127.0.0.6", 50_000), 42L, NOW), "another address");
        assertFalse(cookies.verify(cookie, at("127.0.0.5", 50_001), 42L, NOW), "another port");
        assertFalse(cookies.verify(cookie, client, 43L, NOW), "another nonce");
        assertFalse(cookies.verify(cookie, client, 42L, NOW + 12_000), "expired");
        assertFalse(cookies.verify(cookie, client, 42L, NOW - 2_000), "from the future");
        assertFalse(
                new ChallengeCookies("another key of thirty-two bytes!".getBytes(), 10_000)
                        .verify(cookie, client, 42L, NOW),
                "another key");
        assertFalse(cookies.verify(new byte[5], client, 42L, NOW));
        assertFalse(cookies.verify(null, client, 42L, NOW));
    }

    @Property(tries = 300)
    void shouldRefuseACookieWithAnyBitChanged(@ForAll @IntRange(max = 159) int bit) throws Exception {
        ChallengeCookies cookies = new ChallengeCookies(KEY, 10_000);
        InetSocketAddress client = at("127.0.0.5", 50_000);
        byte[] cookie = cookies.issue(client, 42L, NOW);
        cookie[bit / 8] ^= (byte) (1 << (bit % 8));
        assertFalse(cookies.verify(cookie, client, 42L, NOW + 500));
    }

    /** Any order, with duplicates: each sequence is accepted once while within the window, never after. */
    @Property(tries = 300)
    void shouldAcceptEachSequenceOnceWithinTheWindow(@ForAll long seed) {
        Random random = new Random(seed);
        List<Integer> arrivals = new ArrayList<>();
        for (int s = 1; s <= 300; s++) {
            arrivals.add(s);
            if (random.nextInt(4) == 0) {
                arrivals.add(s); // duplicated on the way
            }
        }
        // Local reordering: swap neighbours up to 20 apart.
        for (int i = 0; i < arrivals.size(); i++) {
            int j = Math.min(arrivals.size() - 1, i + random.nextInt(20));
            Collections.swap(arrivals, i, j);
        }
        ReplayWindow window = new ReplayWindow();
        Set<Integer> accepted = new HashSet<>();
        int highest = 0;
        for (int s : arrivals) {
            boolean expected = !accepted.contains(s) && highest - s < ReplayWindow.WINDOW;
            assertEquals(expected, window.accept(s), "sequence " + s + " after highest " + highest);
            if (expected) {
                accepted.add(s);
                highest = Math.max(highest, s);
            }
        }
        assertEquals(highest, window.highest());
    }

    @Test
    void shouldRefuseZeroAndTreatSequencesAsUnsigned() {
        ReplayWindow window = new ReplayWindow();
        assertFalse(window.accept(0));
        assertTrue(window.accept(Integer.MAX_VALUE));
        assertTrue(window.accept(Integer.MIN_VALUE), "2^31 comes after 2^31 - 1");
        assertFalse(window.accept(Integer.MAX_VALUE), "already seen");
        assertFalse(window.accept(5), "far older than the window");
    }

    @Test
    void shouldRefuseAReplayedTokenUntilItExpiresAndNeverForgetALiveOne() {
        TokenNonces nonces = new TokenNonces(2);
        assertEquals(TokenNonces.Use.FIRST, nonces.firstUse(1L, NOW + 30_000, NOW));
        assertEquals(TokenNonces.Use.REPLAYED, nonces.firstUse(1L, NOW + 30_000, NOW + 10_000));
        assertEquals(TokenNonces.Use.FIRST, nonces.firstUse(2L, NOW + 31_000, NOW + 1_000));
        assertEquals(TokenNonces.Use.FULL, nonces.firstUse(3L, NOW + 32_000, NOW + 2_000), "full: nobody is forgotten");
        assertEquals(TokenNonces.Use.REPLAYED, nonces.firstUse(1L, NOW + 30_000, NOW + 2_000));
        assertEquals(TokenNonces.Use.FIRST, nonces.firstUse(3L, NOW + 60_000, NOW + 30_000), "1 expired: room");
        assertEquals(2, nonces.size());
        assertThrows(IllegalArgumentException.class, () -> new TokenNonces(0));
    }

    @Test
    void shouldLetTheRateAndABurstThroughAndNoMore() {
        long t = 0;
        InputRateLimit limit = new InputRateLimit(60, 10, t);
        int passed = 0;
        for (int i = 0; i < 50; i++) {
            passed += limit.tryAcquire(t) ? 1 : 0;
        }
        assertEquals(10, passed, "the burst at once");
        // Then one second at 1,000 attempts a second: 60 pass.
        passed = 0;
        for (int ms = 1; ms <= 1000; ms++) {
            passed += limit.tryAcquire(t + ms * 1_000_000L) ? 1 : 0;
        }
        assertEquals(60, passed);
        assertThrows(IllegalArgumentException.class, () -> new InputRateLimit(0, 1, 0));
    }
}

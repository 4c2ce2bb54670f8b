package org.worldserver.shard.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ObserverInterestTest {

    /**
     * Against a plain HashMap model: random candidate sets over many ticks (entities drawn from a small range so
     * that they come and go, collide and wrap around the table), with random sends and departure sweeps.
     */
    @Property(tries = 200)
    void shouldBehaveLikeAMapOfLastSentTicks(@ForAll long seed, @ForAll @IntRange(min = 1, max = 200) int universe) {
        Random random = new Random(seed);
        ObserverInterest interest = new ObserverInterest();
        Map<Integer, Integer> lastSent = new HashMap<>(); // entity -> tick, or -1 never sent
        int[] departed = new int[universe + 1];
        for (int tick = 1; tick <= 60; tick++) {
            int count = random.nextInt(Math.min(universe, 64) + 1);
            Set<Integer> candidates = new HashSet<>();
            while (candidates.size() < count) {
                candidates.add(random.nextInt(universe) * 7919 - 100_000);
            }
            for (int entity : candidates) {
                int index = interest.track(entity, tick);
                Integer sent = lastSent.putIfAbsent(entity, ObserverInterest.NEVER_SENT);
                int expected =
                        sent == null || sent == ObserverInterest.NEVER_SENT ? ObserverInterest.NEVER_SENT : tick - sent;
                assertEquals(expected, interest.ticksSinceSent(index, tick), "entity " + entity);
                if (random.nextBoolean()) {
                    interest.markSent(index, tick);
                    lastSent.put(entity, tick);
                }
            }
            if (random.nextInt(3) == 0) {
                Set<Integer> expectedDeparted = new HashSet<>(lastSent.keySet());
                expectedDeparted.removeAll(candidates);
                int n = interest.forgetDeparted(tick, departed);
                Set<Integer> actual = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    actual.add(departed[i]);
                }
                assertEquals(expectedDeparted, actual);
                lastSent.keySet().retainAll(candidates);
            }
            assertEquals(lastSent.size(), interest.knownCount());
            for (Map.Entry<Integer, Integer> e : lastSent.entrySet()) {
                assertEquals(e.getValue() != ObserverInterest.NEVER_SENT, interest.hasBeenSent(e.getKey()));
            }
        }
    }

    /** Removing from a probe run that wraps past the table's end must keep the rest of the run findable. */
    @Test
    void shouldKeepAWrappedProbeRunIntactWhenRemovingFromIt() {
        int[] lastBucket = new int[3];
        for (int key = 1, found = 0; found < 3; key++) {
            if ((ObserverInterest.mix(key) & 15) == 15) {
                lastBucket[found++] = key; // all three want bucket 15 of the initial 16: they land at 15, 0, 1
            }
        }
        ObserverInterest interest = new ObserverInterest();
        for (int key : lastBucket) {
            interest.markSent(interest.track(key, 1), 1);
        }
        interest.track(lastBucket[0], 2);
        interest.track(lastBucket[2], 2);

        int[] departed = new int[8];
        assertEquals(1, interest.forgetDeparted(2, departed));
        assertEquals(lastBucket[1], departed[0]);
        assertTrue(interest.hasBeenSent(lastBucket[2]), "the entry after the hole was lost");
        assertTrue(interest.hasBeenSent(lastBucket[0]));
        assertEquals(2, interest.knownCount());
    }
}

package org.worldserver.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HashChainTest {

    record Moved(String account, long amount, Instant at, Map<String, Long> parts, ChainLink link)
            implements Chained<Moved> {
        @Override
        public Moved withLink(ChainLink l) {
            return new Moved(account, amount, at, parts, l);
        }
    }

    /** The same fields as {@link Moved}, another kind of event. */
    record Reversed(String account, long amount, Instant at, Map<String, Long> parts, ChainLink link)
            implements Chained<Reversed> {
        @Override
        public Reversed withLink(ChainLink l) {
            return new Reversed(account, amount, at, parts, l);
        }
    }

    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    private static List<Moved> chain(int length) {
        List<Moved> events = new ArrayList<>();
        ChainLink last = null;
        for (int i = 1; i <= length; i++) {
            Moved sealed =
                    HashChain.seal(new Moved("acc-1", i * 100L, AT.plusSeconds(i), Map.of("fee", 1L), null), last);
            events.add(sealed);
            last = sealed.link();
        }
        return events;
    }

    @Test
    void shouldLinkEachEventToTheOneBefore() {
        List<Moved> events = chain(3);
        assertEquals(
                new ChainLink(1, HashChain.GENESIS, events.get(0).link().hash()),
                events.get(0).link());
        assertEquals(events.get(0).link().hash(), events.get(1).link().previousHash());
        assertEquals(3, events.get(2).link().sequence());
        assertEquals(64, events.get(2).link().hash().length());
        assertEquals(HashChain.Verdict.intact(3), HashChain.verify(events));
    }

    @Test
    void shouldFindAChangedAMissingAndAReorderedEvent() {
        List<Moved> changed = new ArrayList<>(chain(4));
        Moved second = changed.get(1);
        changed.set(1, new Moved(second.account(), second.amount() + 1, second.at(), second.parts(), second.link()));
        assertEquals(
                HashChain.Verdict.broken(4, 2, "event 2 was changed: its hash does not match"),
                HashChain.verify(changed));

        List<Moved> missing = new ArrayList<>(chain(4));
        missing.remove(2);
        assertEquals(
                HashChain.Verdict.broken(3, 3, "event 3 is missing: the next one found is 4"),
                HashChain.verify(missing));

        // Re-sealed from the gap on, as a forger would: the rewritten events no longer follow the originals.
        List<Moved> forged = new ArrayList<>(chain(4));
        Moved third = forged.get(2);
        forged.set(2, HashChain.seal(new Moved("acc-1", 999, third.at(), third.parts(), null), null));
        HashChain.Verdict verdict = HashChain.verify(forged);
        assertFalse(verdict.intact());
        assertEquals(3, verdict.firstBadSequence(), verdict.problem());

        List<Moved> swapped = new ArrayList<>(chain(3));
        swapped.add(0, swapped.remove(1));
        assertEquals(1, HashChain.verify(swapped).firstBadSequence());

        List<Moved> unsealed = List.of(new Moved("acc-1", 1, AT, Map.of(), null));
        assertEquals(HashChain.Verdict.broken(1, 1, "event 1 has no chain link"), HashChain.verify(unsealed));
        assertTrue(HashChain.verify(List.of()).intact(), "an entity with no events yet");
    }

    @Test
    void shouldHashTheSameContentAlikeAndOtherKindsOfEventApart() {
        Map<String, Long> forwards = new LinkedHashMap<>();
        forwards.put("a", 1L);
        forwards.put("b", 2L);
        Map<String, Long> backwards = new TreeMap<>(java.util.Comparator.reverseOrder());
        backwards.putAll(forwards);
        assertArrayEquals(
                HashChain.canonical(new Moved("x", 5, AT, forwards, null)),
                HashChain.canonical(new Moved("x", 5, AT, backwards, null)),
                "map order does not matter");
        assertArrayEquals(
                HashChain.canonical(new Moved("x", 5, AT, forwards, null)),
                HashChain.canonical(new Moved("x", 5, AT, forwards, new ChainLink(9, "a", "b"))),
                "the link is not part of the content");
        assertNotEquals(
                HashChain.hash(HashChain.GENESIS, new Moved("x", 5, AT, forwards, null)),
                HashChain.hash(HashChain.GENESIS, new Reversed("x", 5, AT, forwards, null)));
        assertEquals(
                "{\"event\":{\"account\":\"x\",\"amount\":5,\"at\":\"2026-11-23T10:00:00Z\",\"parts\":{\"a\":1,\"b\":2}},"
                        + "\"type\":\"Moved\"}",
                new String(HashChain.canonical(new Moved("x", 5, AT, backwards, null))),
                "sorted keys, ISO instants");
    }
}

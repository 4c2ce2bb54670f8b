package org.worldserver.persistence.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * Seals events into a per-entity hash chain and verifies chains read back from the journal.
 *
 * <p><b>Canonical bytes</b> of an event: its JSON with the {@code link} property left out, wrapped as {@code
 * {"event": ..., "type": <simple class name>}} so that two kinds of event with equal fields never hash alike, with
 * every object's properties (map entries too, whatever the map's own order) sorted by name and instants as
 * ISO-8601 text. The same event always gives
 * the same bytes, whichever JVM writes them; a field added to an event later changes the bytes of new events
 * only (old ones are read back without it and hash as they were written).
 *
 * <p>Thread-safe; no state.
 */
public final class HashChain {

    /** The previous hash of an entity's first event: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private HashChain() {}

    /**
     * {@code event} with the link that follows {@code previous}.
     *
     * @param previous the entity's last link, or null before its first chained event
     */
    public static <E extends Chained<E>> E seal(E event, ChainLink previous) {
        String previousHash = previous == null ? GENESIS : previous.hash();
        long sequence = previous == null ? 1 : previous.sequence() + 1;
        return event.withLink(new ChainLink(sequence, previousHash, hash(previousHash, event)));
    }

    /** What {@link #verify} found. */
    public record Verdict(boolean intact, long events, long firstBadSequence, String problem) {

        public static Verdict intact(long events) {
            return new Verdict(true, events, 0, null);
        }

        public static Verdict broken(long events, long at, String problem) {
            return new Verdict(false, events, at, problem);
        }
    }

    /**
     * Checks a whole chain, an entity's chained events in journal order: every event is sealed, the sequences run
     * 1, 2, 3... without a gap, every previous hash is the hash before it, and every hash is what the event's
     * content gives. Reports the first event that fails, and why.
     */
    public static Verdict verify(List<? extends Chained<?>> events) {
        String previousHash = GENESIS;
        long expected = 1;
        for (Chained<?> event : events) {
            ChainLink link = event.link();
            if (link == null) {
                return Verdict.broken(events.size(), expected, "event " + expected + " has no chain link");
            }
            if (link.sequence() != expected) {
                return Verdict.broken(
                        events.size(),
                        expected,
                        "event " + expected + " is missing: the next one found is " + link.sequence());
            }
            if (!link.previousHash().equals(previousHash)) {
                return Verdict.broken(
                        events.size(), expected, "event " + expected + " does not follow the event before it");
            }
            if (!link.hash().equals(hash(previousHash, event))) {
                return Verdict.broken(
                        events.size(), expected, "event " + expected + " was changed: its hash does not match");
            }
            previousHash = link.hash();
            expected++;
        }
        return Verdict.intact(events.size());
    }

    /** {@code SHA-256(previousHash || canonical bytes)}, lowercase hex. */
    static String hash(String previousHash, Object event) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha.update(canonical(event));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** {@code node} with the properties of every object in it sorted by name. */
    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = CANONICAL.createObjectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = CANONICAL.createArrayNode();
            node.forEach(element -> out.add(sorted(element)));
            return out;
        }
        return node;
    }

    /** The canonical bytes of {@code event} (see the class comment). */
    static byte[] canonical(Object event) {
        ObjectNode body = CANONICAL.valueToTree(event);
        body.remove("link");
        ObjectNode wrapped = CANONICAL.createObjectNode();
        wrapped.set("event", body);
        wrapped.put("type", event.getClass().getSimpleName());
        try {
            return CANONICAL.writeValueAsBytes(sorted(wrapped));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the canonical form of " + event.getClass(), e);
        }
    }
}

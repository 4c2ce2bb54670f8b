package org.worldserver.persistence.audit;

import org.worldserver.persistence.CborSerializable;

/**
 * An event's place in its entity's hash chain (DESIGN.md, flow 5): its position, the hash of the event before it,
 * and its own hash, {@code SHA-256(previousHash || canonical bytes of the event without its link)} in lowercase
 * hex. Changing any event, or removing one, breaks every link from there on, which {@link HashChain#verify} finds.
 *
 * @param sequence 1 for an entity's first chained event, then +1 per event
 * @param previousHash the previous link's hash, or {@link HashChain#GENESIS} for the first
 * @param hash this event's hash
 */
public record ChainLink(long sequence, String previousHash, String hash) implements CborSerializable {}

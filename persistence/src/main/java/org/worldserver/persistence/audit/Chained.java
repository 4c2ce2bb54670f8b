package org.worldserver.persistence.audit;

/**
 * An event that carries its {@link ChainLink}. Implemented by the events of audited entities (accounts, assets):
 * they are created without a link, sealed by {@link HashChain#seal}, and persisted with it.
 *
 * @param <E> the event type itself
 */
public interface Chained<E extends Chained<E>> {

    /** The link, or null on an event not sealed yet. */
    ChainLink link();

    /** This event with {@code link} (a copy: events are immutable). */
    E withLink(ChainLink link);
}

package org.worldserver.persistence;

/**
 * Marker for every message, event and state that crosses a serialization boundary (the journal, snapshots,
 * cluster remoting). {@code serialization.conf} binds it to Pekko's Jackson CBOR serializer, so implementing
 * it is the one step a new record needs. Persisted events never leave the server: clients see SBE messages.
 */
public interface CborSerializable {}

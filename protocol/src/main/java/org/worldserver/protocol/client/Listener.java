package org.worldserver.protocol.client;

import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.DisconnectReason;
import org.worldserver.protocol.sbe.ResponseStatus;

/**
 * What a {@link WorldClient} tells its user. Every method is called on the thread that calls {@link
 * WorldClient#poll} (or, for none of them, another method of the client), during that call; each does nothing
 * unless overridden. Implementations must return quickly: thousands of clients may share one polling thread.
 */
public interface Listener {

    /** The handshake succeeded: a new session, or the same one again after {@link WorldClient#resume}. */
    default void onConnected(long sessionId, int entityId, int tickHz) {}

    /** The server refused the session ({@code reason}), or the handshake timed out ({@code reason} null). */
    default void onDenied(DenyReason reason) {}

    /**
     * A snapshot was applied: {@code view} is the client's view after it (entities in wire units, see {@link
     * EntityStates}); it is reused by later snapshots, so copy what must outlive this call. Called after the
     * snapshot's {@link #onEnter}, {@link #onLeave} and {@link #onInputApplied} calls.
     */
    default void onSnapshot(int tick, EntityStates view) {}

    /**
     * An entity other than the client's own is in the view now and was not in the previous one; its name travels
     * in the same snapshot (null if the server gave none).
     */
    default void onEnter(int entityId, String nameOrNull) {}

    /** An entity other than the client's own was in the previous view and is not in this one. */
    default void onLeave(int entityId) {}

    /**
     * An entity already in the view was named again with another name than before (a snapshot without a baseline,
     * e.g. after a change of region, names every entity in it).
     */
    default void onEntityNamed(int entityId, String name) {}

    /**
     * The server has applied the client's inputs up to {@code sequence}: {@code rttMicros} is the time from sending
     * that input to receiving the snapshot that says so (a round trip plus the server's wait for its next tick).
     * The inputs still pending ({@link WorldClient#forEachPendingInput}) are the ones to replay for prediction.
     */
    default void onInputApplied(int sequence, long rttMicros) {}

    /** The server ended the session. */
    default void onDisconnected(DisconnectReason reason) {}

    /** Nothing was heard from the server for the silence timeout: {@link WorldClient#resume} may help. */
    default void onLost() {}

    /**
     * A request ({@link WorldClient#teleport}) was answered, once per request id: OK with an empty message, or
     * another status with {@code "<code>: <detail>"} ({@link org.worldserver.protocol.Requests} lists the codes);
     * UNAVAILABLE {@code request-timed-out} when the client gave up waiting.
     */
    default void onResponse(long requestId, ResponseStatus status, String message) {}

    /**
     * A handoff ended: {@code ok}, the session continues at {@code endpoint} (the gateway a Redirect named, with a
     * new session id); otherwise that gateway refused or did not answer, and the client resumes at {@code endpoint},
     * the gateway it came from.
     */
    default void onHandoff(String endpoint, boolean ok) {}
}

/**
 * The Java client SDK's session: {@link org.worldserver.protocol.client.WorldClient} (handshake, snapshot sync,
 * inputs, heartbeats, resume) driven by its caller's {@code poll}, with {@link
 * org.worldserver.protocol.client.InterpolationBuffer} and {@link org.worldserver.protocol.client.ServerClock} for
 * drawing entities between snapshots and {@link org.worldserver.protocol.client.InputHistory} for prediction.
 */
package org.worldserver.protocol.client;

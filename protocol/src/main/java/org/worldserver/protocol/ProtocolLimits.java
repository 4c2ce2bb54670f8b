package org.worldserver.protocol;

/** Sizes every implementation of the protocol keeps to. */
public final class ProtocolLimits {

    /** The most bytes in one datagram, SBE header included: fits the common 1280-byte IPv6 minimum MTU. */
    public static final int MAX_DATAGRAM_BYTES = 1200;

    /** The protocol version this code speaks; the schema's version. */
    public static final int PROTOCOL_VERSION = 1;

    private ProtocolLimits() {}
}

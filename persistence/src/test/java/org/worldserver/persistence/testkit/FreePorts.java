package org.worldserver.persistence.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for tests: TCP ({@link #allocate}, {@link #one}) and UDP ({@link #udp}). */
public final class FreePorts {

    private FreePorts() {}

    /**
     * {@code count} distinct ports that were free a moment ago: all sockets stay open until every port is chosen,
     * so the same port is never handed out twice in one call.
     */
    public static int[] allocate(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing a listening socket we own does not fail in a way that matters here
                    }
                }
            }
        }
    }

    /** One free port. */
    public static int one() {
        return allocate(1)[0];
    }

    /** {@code count} distinct UDP ports free on loopback a moment ago (all held until every one is chosen). */
    public static int[] udp(int count) {
        java.net.DatagramSocket[] sockets = new java.net.DatagramSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (java.net.DatagramSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}

package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the gateway's design rests on, checked on real Aeron 1.51 over loopback (docs/design/gateway.md): the
 * server answers a client on an Aeron response channel bound to the client's image (it never learns or chooses
 * the client's receive address), and an image whose term length is not the configured one is rejected at once,
 * so an untrusted publisher cannot make the server keep a large log.
 */
class AeronResponseChannelTest {

    private static final int REQUESTS = 1;
    private static final int RESPONSES = 2;

    private final LoopbackAeron loopback = new LoopbackAeron();
    private final Aeron server = loopback.server;
    private final Aeron client = loopback.client;

    @AfterEach
    void stop() {
        loopback.close();
    }

    private static void until(BooleanSupplier done, Runnable poll) {
        LoopbackAeron.until(done, poll);
    }

    @Test
    void shouldReplyOnAResponseChannelBoundToTheClientsImageAndRejectImagesWithAnotherTermLength() {
        // Images arrive on the client conductor's thread, where calls into Aeron are not allowed ("reentrant
        // calls not permitted during callbacks"): the gateway's duty cycle looks at them and rejects there.
        List<Image> arrived = new CopyOnWriteArrayList<>();
        List<Image> accepted = new CopyOnWriteArrayList<>();
        List<Image> rejected = new CopyOnWriteArrayList<>();
        Subscription gateway =
                server.addSubscription("aeron:udp?endpoint=127.0.0.1:0", REQUESTS, arrived::add, image -> {});
        Runnable screen = () -> {
            for (Image image : arrived) {
                arrived.remove(image);
                // The gateway's rule: only the configured term length; anything else is refused at once.
                if (image.termBufferLength() != 65536) {
                    image.reject("term length must be 64 KiB");
                    rejected.add(image);
                } else {
                    accepted.add(image);
                }
            }
        };
        until(() -> gateway.resolvedEndpoint() != null, () -> {});
        // The port replies leave from (the gateway's configured reply port): a free one here, pre-bound by a
        // prototype response publication so that every reply publication shares its socket.
        String control = "127.0.0.1:" + freeUdpPort();
        server.addExclusivePublication(
                "aeron:udp?control-mode=response|control=" + control + "|response-correlation-id=prototype", RESPONSES);

        // Client: a response subscription on the server's control port, then its request publication naming it.
        Subscription replies = client.addSubscription("aeron:udp?control-mode=response|control=" + control, RESPONSES);
        Publication requests = client.addPublication(
                "aeron:udp?endpoint=" + gateway.resolvedEndpoint() + "|term-length=65536|response-correlation-id="
                        + replies.registrationId(),
                REQUESTS);
        until(() -> !accepted.isEmpty(), screen);

        // Server: a reply publication for that image only.
        Image image = accepted.get(0);
        Publication reply = server.addPublication(
                "aeron:udp?control-mode=response|control=" + control + "|term-length=65536|response-correlation-id="
                        + image.correlationId(),
                RESPONSES);
        until(reply::isConnected, () -> {});
        UnsafeBuffer message = new UnsafeBuffer(new byte[] {42});
        until(() -> reply.offer(message, 0, 1) > 0, () -> {});
        int[] received = {0};
        until(() -> received[0] == 42, () -> replies.poll((b, o, l, h) -> received[0] = b.getByte(o), 10));
        assertTrue(requests.isConnected());

        // A publisher that asks for 1 MiB terms gets its image rejected.
        Publication greedy = client.addExclusivePublication(
                "aeron:udp?endpoint=" + gateway.resolvedEndpoint() + "|term-length=1048576", REQUESTS);
        until(() -> !rejected.isEmpty(), screen);
        assertEquals(1048576, rejected.get(0).termBufferLength());
        assertEquals(1, accepted.size());
        greedy.close();
    }

    private static int freeUdpPort() {
        return LoopbackAeron.freeUdpPort();
    }
}

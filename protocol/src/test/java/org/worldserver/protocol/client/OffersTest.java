package org.worldserver.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.worldserver.protocol.Offers;

/**
 * {@link Offers#offer} on a real publication: across term rotations (where Aeron answers ADMIN_ACTION once per
 * term) every datagram is accepted and arrives, none is dropped. (Back pressure, which the publication's limit
 * trailing the reader can cause for a moment, is the caller's to handle: the test waits it out.)
 */
class OffersTest {

    @Test
    void shouldLoseNoDatagramWhenTheTermRotates() {
        try (MediaDriver driver = WorldClientTest.launchDriver("offers");
                Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
                Subscription in = aeron.addSubscription("aeron:ipc", 5);
                Publication out = aeron.addPublication("aeron:ipc?term-length=65536", 5)) {
            while (!out.isConnected()) {
                Thread.onSpinWait();
            }
            UnsafeBuffer datagram = new UnsafeBuffer(new byte[24]); // a heartbeat's size: 1,024 frames per term
            int sent = 5_000; // about five terms
            int[] received = {0};
            for (int i = 0; i < sent; i++) {
                datagram.putInt(0, i);
                long result;
                while ((result = Offers.offer(out, datagram, 0, datagram.capacity())) == Publication.BACK_PRESSURED) {
                    in.poll((buffer, offset, length, header) -> received[0]++, 10); // the limit moves on
                }
                assertTrue(result > 0, "datagram " + i + " refused: " + result);
                while (received[0] <= i) {
                    in.poll((buffer, offset, length, header) -> received[0]++, 10);
                }
            }
            assertEquals(sent, received[0]);
        }
    }
}

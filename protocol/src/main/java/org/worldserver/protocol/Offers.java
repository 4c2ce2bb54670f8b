package org.worldserver.protocol;

import io.aeron.Publication;
import org.agrona.DirectBuffer;

/** Offering datagrams to Aeron publications the way every sender of this protocol must. */
public final class Offers {

    /** Attempts after ADMIN_ACTION: one term rotation per offer at most, so a second attempt normally succeeds. */
    private static final int ATTEMPTS = 3;

    private Offers() {}

    /**
     * Offers {@code buffer[offset, offset + length)} once, repeating it at once while Aeron answers ADMIN_ACTION (the
     * term rotated under the offer: Aeron asks the caller to try again, and a datagram dropped there would be lost
     * for no reason: one in every term's worth of traffic). Never waits on back pressure or a disconnected
     * publication: a datagram of this protocol is worth nothing late.
     *
     * @return the last result of {@link Publication#offer}: a new position (positive) when accepted
     */
    public static long offer(Publication publication, DirectBuffer buffer, int offset, int length) {
        long result = publication.offer(buffer, offset, length);
        for (int attempt = 1; attempt < ATTEMPTS && result == Publication.ADMIN_ACTION; attempt++) {
            result = publication.offer(buffer, offset, length);
        }
        return result;
    }
}

package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.worldserver.persistence.testkit.SerializationRoundTrip;

class SerializationBindingTest {

    private static final ActorTestKit KIT = ActorTestKit.create("serialization");

    record Unmarked(String value) {}

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void shouldRoundTripMarkedRecordsThroughJacksonCbor() {
        SerializationRoundTrip.assertRoundTrip(KIT.system(), new Guestbook.Signed("ada"));
        SerializationRoundTrip.assertRoundTrip(KIT.system(), new Guestbook.State(List.of("ada", "grace")));
        SerializationRoundTrip.assertRoundTrip(KIT.system(), new Guestbook.Summary(List.of()));
    }

    @Test
    void shouldFailForARecordWithoutTheMarker() {
        assertThrows(
                AssertionFailedError.class,
                () -> SerializationRoundTrip.assertRoundTrip(KIT.system(), new Unmarked("x")));
    }
}

package org.worldserver.persistence;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.worldserver.persistence.testkit.SerializationRoundTrip;

class SerializationBindingTest {

    private static final ActorTestKit KIT = ActorTestKit.create("serialization");

    record Unmarked(String value) {}

    /** Marked, but Jackson reads an interface-typed field back as another type: the helper must say so. */
    record Unreadable(CharSequence text) implements CborSerializable {}

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
    void shouldFailForAMarkedRecordThatDoesNotSurviveTheRoundTrip() {
        AssertionFailedError error = assertThrows(
                AssertionFailedError.class,
                () -> SerializationRoundTrip.assertRoundTrip(KIT.system(), new Unreadable(new StringBuilder("x"))));
        assertTrue(error.getMessage().contains("changed the value"), error.getMessage());
    }

    @Test
    void shouldFailForARecordWithoutTheMarker() {
        assertThrows(
                AssertionFailedError.class,
                () -> SerializationRoundTrip.assertRoundTrip(KIT.system(), new Unmarked("x")));
    }
}

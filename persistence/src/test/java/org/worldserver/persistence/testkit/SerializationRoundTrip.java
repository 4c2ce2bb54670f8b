package org.worldserver.persistence.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.worldserver.persistence.CborSerializable;

/**
 * Asserts that a message, event or state survives the trip through the serializer Pekko would really use,
 * and that this serializer is Jackson CBOR (so a record that forgot the {@link CborSerializable} marker, or
 * whose fields Jackson cannot read back, fails here rather than in production).
 *
 * <p>Reusable from every module's tests (this module publishes its test classes as a test-jar).
 */
public final class SerializationRoundTrip {

    private SerializationRoundTrip() {}

    /**
     * Serializes {@code value} with the serializer bound to its class, deserializes it with the recorded
     * manifest, and asserts that the result equals the input.
     *
     * @return the deserialized copy, for further assertions
     */
    public static <T> T assertRoundTrip(ActorSystem<?> system, T value) {
        assertTrue(
                value instanceof CborSerializable,
                value.getClass().getName() + " does not implement " + CborSerializable.class.getSimpleName());
        Serialization serialization = SerializationExtension.get(system);
        Serializer serializer = serialization.findSerializerFor(value);
        assertTrue(
                serializer instanceof JacksonCborSerializer,
                value.getClass().getName() + " is serialized by "
                        + serializer.getClass().getName() + ", not Jackson CBOR");
        byte[] bytes = serialization.serialize(value).get();
        String manifest = Serializers.manifestFor(serializer, value);
        Object copy = serialization
                .deserialize(bytes, serializer.identifier(), manifest)
                .get();
        assertEquals(value, copy, "round trip through " + serializer.getClass().getSimpleName() + " changed the value");
        @SuppressWarnings("unchecked")
        T typed = (T) copy;
        return typed;
    }
}

package org.worldserver.shard.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.gateway.SessionRelay;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrame;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrames;
import org.worldserver.shard.gateway.SessionRelay.RelayedInput;
import org.worldserver.shard.gateway.SessionRelay.RelayedInputs;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionCell.Ghosts;
import org.worldserver.shard.region.RegionCell.Input;

class TickMessageSerializerTest {

    private static final ActorTestKit KIT = ActorTestKit.create("tick-messages");
    private final TickMessageSerializer serializer =
            new TickMessageSerializer((ExtendedActorSystem) Adapter.toClassic(KIT.system()));
    /** A node's relay, as relayed frames name it. */
    private static final ActorRef<SessionRelay.Command> ORIGIN = KIT.spawn(Behaviors.ignore(), SessionRelay.NAME);

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static Input input() {
        return new Input("avatar-ä-🙂", 41, 0.5f, -1f, 0.25f, Float.MIN_VALUE);
    }

    private static RelayedInputs inputs() {
        return new RelayedInputs(List.of(
                new RelayedInput("plaza:3:0", input()), new RelayedInput("plaza:4:0", new Input("b", -7, 0, 0, 1, 0))));
    }

    private static Ghosts ghosts() {
        return new Ghosts(5, new String[] {"a-1", "b-2"}, new int[] {7, 1 << 20}, new float[] {
            1, 2, 3, 4, 5, 6, 7, -1, -2, -3, -4, -5, -6, Float.NaN
        });
    }

    private static RelayedFrames frames() {
        return new RelayedFrames(
                "plaza:3:0",
                ORIGIN,
                List.of(
                        new RelayedFrame(
                                "observer-1",
                                -1,
                                new int[] {9, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 7, 0},
                                new int[] {}),
                        new RelayedFrame("observer-2", 17, new int[] {1, 2, 3, 4, 5, 6, 7, 0}, new int[] {12, 13})),
                Map.of(9, "walker-9", 12, "gone-12"));
    }

    @Test
    void pekkoPicksThisSerializerForTheTickMessagesAndCborForTheRest() {
        Serialization serialization = SerializationExtension.get(KIT.system());
        for (Object message : List.of(input(), inputs(), ghosts(), frames())) {
            assertInstanceOf(TickMessageSerializer.class, serialization.findSerializerFor(message), message.toString());
        }
        Object other = new RegionCell.Joined(3, "plaza/3");
        assertEquals(
                "JacksonCborSerializer",
                serialization.findSerializerFor(other).getClass().getSimpleName());
    }

    @Test
    void everyTickMessageSurvivesPekkosSerialization() throws Exception {
        assertSame(input(), throughPekko(input()));
        assertSame(inputs(), throughPekko(inputs()));
        RelayedInputs noInputs = new RelayedInputs(List.of());
        assertSame(noInputs, throughPekko(noInputs));
        assertSame(ghosts(), throughPekko(ghosts()));
        assertSame(frames(), throughPekko(frames()));
        RelayedFrames empty = new RelayedFrames("plaza:0:0", ORIGIN, List.of(), Map.of());
        assertSame(empty, throughPekko(empty));
        Ghosts none = new Ghosts(2, new String[0], new int[0], new float[0]);
        assertSame(none, throughPekko(none));
    }

    @Test
    void writesStraightIntoADirectBufferAndLeavesItsByteOrderAlone() throws Exception {
        for (Object message : List.of(input(), inputs(), ghosts(), frames())) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4096).order(ByteOrder.BIG_ENDIAN);
            buffer.position(100); // Artery writes after its envelope header
            serializer.toBinary(message, buffer);
            assertEquals(100 + serializer.sizeOf(message), buffer.position(), "bytes written");
            assertEquals(ByteOrder.BIG_ENDIAN, buffer.order());
            buffer.flip().position(100);
            Object copy = serializer.fromBinary(buffer, serializer.manifest(message));
            assertSame(message, copy);
            assertEquals(ByteOrder.BIG_ENDIAN, buffer.order());
        }
    }

    @Test
    void sizeIsExactForAnyStringIncludingLoneSurrogates() throws Exception {
        Input odd = new Input("a\uD800b\uDC00c🙂", 1, 0, 0, 0, 0);
        byte[] bytes = serializer.toBinary(odd); // allocated by sizeOf: a wrong size leaves zeros or overflows
        Input copy = (Input) serializer.fromBinary(bytes, TickMessageSerializer.INPUT);
        assertEquals("a?b?c🙂", copy.avatarId(), "lone surrogates become '?', as String.getBytes writes them");
    }

    @Test
    void everyTruncationIsAClearError() {
        for (Object message : List.of(inputs(), frames())) {
            String manifest = serializer.manifest(message);
            byte[] bytes = serializer.toBinary(message);
            for (int length = 0; length < bytes.length; length++) {
                byte[] cut = Arrays.copyOf(bytes, length);
                NotSerializableException error =
                        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, manifest));
                assertTrue(error.getMessage().startsWith("malformed " + manifest + ": "), error.getMessage());
            }
        }
    }

    @Test
    void aCorruptCountIsRefusedBeforeAnythingIsAllocated() {
        byte[] bytes = serializer.toBinary(ghosts());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, Integer.MAX_VALUE); // the avatar id count
        NotSerializableException huge = assertThrows(
                NotSerializableException.class, () -> serializer.fromBinary(bytes, TickMessageSerializer.GHOSTS));
        assertTrue(huge.getMessage().contains("avatar ids count 2147483647 does not fit"), huge.getMessage());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, -1);
        NotSerializableException negative = assertThrows(
                NotSerializableException.class, () -> serializer.fromBinary(bytes, TickMessageSerializer.GHOSTS));
        assertTrue(negative.getMessage().contains("avatar ids count -1"), negative.getMessage());
    }

    @Test
    void messagesTheReceiversCouldNotIndexAreRefused() {
        Ghosts short1 = new Ghosts(1, new String[] {"a", "b"}, new int[] {1, 2}, new float[13]);
        NotSerializableException ghosts = assertThrows(
                NotSerializableException.class,
                () -> serializer.fromBinary(serializer.toBinary(short1), TickMessageSerializer.GHOSTS));
        assertEquals(
                "malformed ghosts-1: 2 avatar ids with 2 entity ids and 13 state floats (7 per avatar)",
                ghosts.getMessage());
        Ghosts fewIds = new Ghosts(1, new String[] {"a", "b"}, new int[] {1}, new float[14]);
        assertThrows(
                NotSerializableException.class,
                () -> serializer.fromBinary(serializer.toBinary(fewIds), TickMessageSerializer.GHOSTS));
        for (int[] wire : List.of(new int[0], new int[] {1, 2, 3})) {
            RelayedFrames bad = new RelayedFrames(
                    "plaza:1:0", ORIGIN, List.of(new RelayedFrame("o", 0, wire, new int[0])), Map.of());
            NotSerializableException frames = assertThrows(
                    NotSerializableException.class,
                    () -> serializer.fromBinary(serializer.toBinary(bad), TickMessageSerializer.FRAMES));
            assertTrue(
                    frames.getMessage().startsWith("malformed frames-2: frame for o has " + wire.length + " wire ints"),
                    frames.getMessage());
        }
    }

    @Test
    void relayedMessagesNamingNoCellOrNoRelayAreRefused() {
        RelayedInputs notACell = new RelayedInputs(List.of(new RelayedInput("plaza/3", input())));
        NotSerializableException cell = assertThrows(
                NotSerializableException.class,
                () -> serializer.fromBinary(serializer.toBinary(notACell), TickMessageSerializer.INPUTS));
        assertEquals("malformed inputs-1: 'plaza/3' is not a cell id <region>:<ix>:<iz>", cell.getMessage());
        ActorRef<SessionRelay.Command> other = KIT.spawn(Behaviors.ignore(), "not-a-relay");
        RelayedFrames fromElsewhere = new RelayedFrames("plaza:0:0", other, List.of(), Map.of());
        NotSerializableException origin = assertThrows(
                NotSerializableException.class,
                () -> serializer.fromBinary(serializer.toBinary(fromElsewhere), TickMessageSerializer.FRAMES));
        assertTrue(
                origin.getMessage()
                        .matches("malformed frames-2: origin '.*/user/not-a-relay#-?\\d+' is not a session relay"),
                origin.getMessage());
    }

    @Test
    void bytesLeftOverAndUnknownManifestsAreRefused() {
        byte[] bytes = Arrays.copyOf(serializer.toBinary(input()), serializer.sizeOf(input()) + 3);
        NotSerializableException extra = assertThrows(
                NotSerializableException.class, () -> serializer.fromBinary(bytes, TickMessageSerializer.INPUT));
        assertEquals("malformed input-1: 3 bytes left after the message", extra.getMessage());
        NotSerializableException unknown =
                assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "input-9"));
        assertTrue(unknown.getMessage().contains("unknown tick message manifest 'input-9'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> serializer.toBinary(new RegionCell.Joined(1, "c")));
    }

    @Test
    void randomlyDamagedBytesEitherDecodeOrFailWithNotSerializable() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] original = serializer.toBinary(frames());
        int refused = 0;
        for (int round = 0; round < 2_000; round++) {
            byte[] damaged = original.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                serializer.fromBinary(damaged, TickMessageSerializer.FRAMES);
            } catch (NotSerializableException expected) {
                refused++;
            }
        }
        assertTrue(refused > 0, "no damaged message was refused: the length checks never ran");
    }

    private static Object throughPekko(Object message) {
        Serialization serialization = SerializationExtension.get(KIT.system());
        var used = serialization.findSerializerFor(message);
        byte[] bytes = serialization.serialize(message).get();
        return serialization
                .deserialize(bytes, used.identifier(), Serializers.manifestFor(used, message))
                .get();
    }

    /** Records with arrays compare by identity: compares their contents. */
    private static void assertSame(Object expected, Object actual) {
        assertEquals(expected.getClass(), actual.getClass());
        if (expected instanceof Input || expected instanceof RelayedInputs) {
            assertEquals(expected, actual); // records of strings and numbers: equals compares them
        } else if (expected instanceof Ghosts e && actual instanceof Ghosts a) {
            assertEquals(e.fromIndex(), a.fromIndex());
            assertArrayEquals(e.avatarIds(), a.avatarIds());
            assertArrayEquals(e.entityIds(), a.entityIds());
            assertArrayEquals(e.states(), a.states());
        } else if (expected instanceof RelayedFrames e && actual instanceof RelayedFrames a) {
            assertEquals(e.cell(), a.cell());
            assertEquals(e.origin(), a.origin());
            assertEquals(e.names(), a.names());
            assertEquals(e.frames().size(), a.frames().size());
            for (int i = 0; i < e.frames().size(); i++) {
                RelayedFrame ef = e.frames().get(i);
                RelayedFrame af = a.frames().get(i);
                assertEquals(ef.observer(), af.observer());
                assertEquals(ef.lastAppliedInput(), af.lastAppliedInput());
                assertArrayEquals(ef.wire(), af.wire());
                assertArrayEquals(ef.departed(), af.departed());
            }
        }
    }
}

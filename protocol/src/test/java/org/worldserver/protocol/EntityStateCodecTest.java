package org.worldserver.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class EntityStateCodecTest {

    private final EntityStateCodec codec = new EntityStateCodec();

    /** Random entities, ids sparse over the whole int range near a base, values of every size. */
    private static EntityStates randomStates(Random random, int count, int idBase) {
        TreeSet<Integer> ids = new TreeSet<>();
        while (ids.size() < count) {
            ids.add(idBase + random.nextInt(count * 4 + 1));
        }
        EntityStates states = new EntityStates(4);
        for (int id : ids) {
            states.add(id, wide(random), wide(random), wide(random), random.nextInt(), wide(random), wide(random));
        }
        return states;
    }

    /** Small, medium or any int, so every varint length occurs. */
    private static int wide(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(200) - 100;
            case 1 -> random.nextInt(2_000_000) - 1_000_000;
            default -> random.nextInt();
        };
    }

    /** The baseline moved on: some entities left, some stayed (some at rest, some moved or turned), some came. */
    private static EntityStates successor(Random random, EntityStates baseline) {
        EntityStates next = new EntityStates(4);
        int newcomer = 0;
        for (int i = 0; i < baseline.size(); i++) {
            int id = baseline.entityId(i);
            if (random.nextInt(5) == 0) {
                continue; // left
            }
            int change = random.nextInt(4);
            next.add(
                    id,
                    baseline.x(i) + (change >= 1 ? random.nextInt(61) - 30 : 0),
                    baseline.y(i),
                    baseline.z(i) + (change >= 1 ? random.nextInt(61) - 30 : 0),
                    change == 2 ? random.nextInt() : baseline.rotation(i),
                    change == 3 ? wide(random) : baseline.vx(i),
                    baseline.vz(i));
            newcomer = id;
        }
        // Newcomers above every id so far keep the order.
        for (int k = 0; k < random.nextInt(4); k++) {
            newcomer += 1 + random.nextInt(1000);
            next.add(newcomer, wide(random), wide(random), wide(random), random.nextInt(), 0, 0);
        }
        return next;
    }

    /** Encoded in blocks of a random capacity and decoded block by block, every state comes back exactly. */
    @Property(tries = 300)
    void shouldRoundTripDeltasAgainstTheBaselineInBlocksOfAnySize(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 300) int count,
            @ForAll @IntRange(min = EntityStateCodec.HEADER_BYTES + EntityStateCodec.MAX_ENTITY_BYTES, max = 1200)
                    int capacity,
            @ForAll boolean withBaseline) {
        Random random = new Random(seed);
        EntityStates baseline = randomStates(random, count, random.nextInt());
        EntityStates current = withBaseline ? successor(random, baseline) : randomStates(random, count, 0);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[capacity]);
        EntityStates block = new EntityStates(4);
        EntityStates decoded = new EntityStates(4);
        int from = 0;
        do {
            int n = codec.encode(current, from, withBaseline ? baseline : null, buffer, 0, capacity);
            assertTrue(codec.encodedLength() <= capacity);
            assertTrue(n > 0 || current.size() == 0, "progress");
            assertEquals(
                    EntityStateCodec.Outcome.OK,
                    codec.decode(buffer, 0, codec.encodedLength(), withBaseline ? baseline : null, block));
            assertEquals(n, block.size());
            for (int i = 0; i < block.size(); i++) {
                decoded.add(
                        block.entityId(i),
                        block.x(i),
                        block.y(i),
                        block.z(i),
                        block.rotation(i),
                        block.vx(i),
                        block.vz(i));
            }
            from += n;
        } while (from < current.size());
        assertEquals(current, decoded);
    }

    @Test
    void shouldSendAnEntityAtRestInTwoBytesAndAWalkingOneInAFewMore() {
        EntityStates baseline = new EntityStates(2);
        baseline.add(40, 100_000, 0, 250_000, 7, 480, 0);
        baseline.add(41, 5_000, 0, 5_000, 9, 0, 0);
        EntityStates now = new EntityStates(2);
        now.add(40, 100_072, 0, 250_000, 7, 480, 0); // walked 72 cm east in three ticks at 4.8 m/s
        now.add(41, 5_000, 0, 5_000, 9, 0, 0); // at rest
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        codec.encode(now, 0, baseline, buffer, 0, 64);
        // header 2 + walker (id gap 1, flags 1, dx 2, dy 1, dz 1) + rester (id gap 1, flags 1)
        assertEquals(2 + 6 + 2, codec.encodedLength());
        codec.encode(now, 0, null, buffer, 0, 64);
        assertTrue(codec.encodedLength() > 2 * 14, "whole states cost more: " + codec.encodedLength());
    }

    /** Arbitrary bytes, with and without a baseline, never throw and never read outside the given range. */
    @Property(tries = 2000)
    void shouldAnswerArbitraryBytesWithAnOutcomeAndNoException(
            @ForAll @Size(max = 400) byte[] bytes, @ForAll boolean withBaseline, @ForAll long seed) {
        // The block sits between two guard regions that must never be read: reading them would need bytes
        // outside [offset, offset + length), and a too-long read fails with an exception, which fails the test.
        byte[] framed = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, framed, 8, bytes.length);
        UnsafeBuffer buffer = new UnsafeBuffer(framed, 8, bytes.length);
        EntityStates baseline = withBaseline ? randomStates(new Random(seed), 50, 0) : null;
        EntityStateCodec.Outcome outcome = codec.decode(buffer, 0, bytes.length, baseline, new EntityStates(4));
        assertTrue(outcome != null);
    }

    /** A valid block with bytes flipped or cut off: an outcome, no exception; a cut block is never OK. */
    @Property(tries = 1000)
    void shouldRejectDamagedBlocksWithoutAnException(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int count,
            @ForAll @IntRange(min = 1, max = 5) int flips) {
        Random random = new Random(seed);
        EntityStates baseline = randomStates(random, count, 1000);
        EntityStates current = successor(random, baseline);
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[1200]);
        codec.encode(current, 0, baseline, buffer, 0, 1200);
        int length = codec.encodedLength();
        byte[] copy = new byte[length];
        buffer.getBytes(0, copy);
        for (int f = 0; f < flips; f++) {
            copy[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
        }
        EntityStates out = new EntityStates(4);
        assertTrue(codec.decode(new UnsafeBuffer(copy), 0, length, baseline, out) != null);
        if (current.size() > 0) {
            int cut = random.nextInt(length);
            buffer.getBytes(0, copy);
            UnsafeBuffer shorter = new UnsafeBuffer(copy, 0, cut);
            assertTrue(codec.decode(shorter, 0, cut, baseline, out) != EntityStateCodec.Outcome.OK, "cut at " + cut);
        }
    }

    @Test
    void shouldNameWhatIsWrongWithAMalformedBlock() {
        assertEquals(EntityStateCodec.Outcome.TRUNCATED, decode(new byte[] {1}));
        assertEquals(EntityStateCodec.Outcome.TRUNCATED, decode(new byte[] {1, 0, (byte) 0x80}));
        assertEquals(EntityStateCodec.Outcome.TRUNCATED, decode(new byte[] {1, 0, 2, 0x0E, 0, 0}));
        assertEquals(
                EntityStateCodec.Outcome.BAD_VARINT,
                decode(new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0}));
        assertEquals(EntityStateCodec.Outcome.BAD_FLAGS, decode(new byte[] {1, 0, 2, 0x10}));
        assertEquals(EntityStateCodec.Outcome.BAD_FLAGS, decode(new byte[] {1, 0, 2, 0x02, 0, 0, 0}));
        assertEquals(EntityStateCodec.Outcome.NOT_IN_BASELINE, decode(new byte[] {1, 0, 2, 0x01}));
        // two entities: id 1, then a gap of 0 (the same id again)
        byte[] twice = new byte[2 + 2 * (1 + 1 + 3 + 4 + 2)];
        twice[0] = 2;
        twice[2] = 2;
        twice[3] = 0x0E;
        twice[13] = 0;
        twice[14] = 0x0E;
        assertEquals(EntityStateCodec.Outcome.IDS_NOT_INCREASING, decode(twice));
        assertEquals(EntityStateCodec.Outcome.TRAILING_BYTES, decode(new byte[] {0, 0, 9}));
        assertEquals(EntityStateCodec.Outcome.OK, decode(new byte[] {0, 0}));
    }

    private EntityStateCodec.Outcome decode(byte[] bytes) {
        return codec.decode(new UnsafeBuffer(bytes), 0, bytes.length, null, new EntityStates(1));
    }

    @Test
    void shouldZigZagSmallMagnitudesIntoSmallNumbers() {
        for (int n : new int[] {0, 1, -1, 63, -64, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertEquals(n, EntityStateCodec.unzigzag(EntityStateCodec.zigzag(n)));
        }
        assertEquals(1, EntityStateCodec.zigzag(-1));
        assertEquals(2, EntityStateCodec.zigzag(1));
    }
}

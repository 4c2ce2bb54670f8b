package org.worldserver.shard.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.worldserver.protocol.EntityStateCodec;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;

/**
 * The entity states of one snapshot for one client, as the gateway will send them: {@value #ENTITIES} entities
 * (an observer's update budget per tick is about 34, its area of interest holds about 64), walking at up to 6 m/s
 * and turning, delta-encoded against the state the client acknowledged {@code ticksBehind} ticks earlier.
 * Reports the time to encode and to decode one block; the set-up prints the bytes per entity of the block (in the
 * run's output, "bytes per entity"), against 26 bytes for the same state in fixed-width fields (id, x, y, z,
 * rotation as ints, vx and vz as shorts).
 *
 * <p>Run: {@code deploy/bench/jmh.sh EntityStateCodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EntityStateCodecBenchmark {

    static final int ENTITIES = 64;

    /** How old the acknowledged baseline is: 1 tick is a client acknowledging every snapshot at 20 Hz. */
    @Param({"1", "3", "10"})
    public int ticksBehind;

    /** Share of the entities that walk (the rest stand still). */
    @Param({"0.5", "1.0"})
    public double walking;

    private final EntityStates baseline = new EntityStates(ENTITIES);
    private final EntityStates current = new EntityStates(ENTITIES);
    private final EntityStates decoded = new EntityStates(ENTITIES);
    private final EntityStateCodec codec = new EntityStateCodec();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private int encodedLength;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(11);
        int id = 1 << 20;
        for (int i = 0; i < ENTITIES; i++) {
            id += 1 + random.nextInt(40);
            float x = (float) random.nextDouble(0, 1024);
            float z = (float) random.nextDouble(0, 1024);
            double heading = random.nextDouble(2 * Math.PI);
            boolean walks = random.nextDouble() < walking;
            float speed = walks ? (float) random.nextDouble(1, 6) : 0f;
            float vx = (float) Math.sin(heading) * speed;
            float vz = (float) Math.cos(heading) * speed;
            baseline.add(
                    id,
                    Quantization.position(x),
                    Quantization.position(1.2f),
                    Quantization.position(z),
                    Quantization.rotationFacing((float) Math.sin(heading), (float) Math.cos(heading)),
                    Quantization.velocity(vx),
                    Quantization.velocity(vz));
            float dt = ticksBehind / 20f;
            double turned = walks ? heading + random.nextDouble(-0.2, 0.2) : heading;
            current.add(
                    id,
                    Quantization.position(x + vx * dt),
                    Quantization.position(1.2f),
                    Quantization.position(z + vz * dt),
                    Quantization.rotationFacing((float) Math.sin(turned), (float) Math.cos(turned)),
                    Quantization.velocity(vx),
                    Quantization.velocity(vz));
        }
        encodedLength = encodeOnce();
        System.out.printf(
                "bytes per entity: %.2f (%d entities, %d bytes with the header; baseline %d ticks old, %.0f%% walking)%n",
                encodedLength / (double) ENTITIES, ENTITIES, encodedLength, ticksBehind, walking * 100);
    }

    private int encodeOnce() {
        codec.encode(current, 0, baseline, buffer, 0, buffer.capacity());
        return codec.encodedLength();
    }

    @Benchmark
    public int encode() {
        return encodeOnce();
    }

    @Benchmark
    public EntityStateCodec.Outcome decode() {
        return codec.decode(buffer, 0, encodedLength, baseline, decoded);
    }
}

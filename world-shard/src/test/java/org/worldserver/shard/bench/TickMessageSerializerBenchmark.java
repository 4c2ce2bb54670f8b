package org.worldserver.shard.bench;

import com.typesafe.config.ConfigFactory;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.worldserver.shard.gateway.SessionRelay;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrame;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrames;
import org.worldserver.shard.region.RegionCell;
import org.worldserver.shard.region.RegionCell.Ghosts;
import org.worldserver.shard.region.RegionCell.Input;
import org.worldserver.shard.serialization.TickMessageSerializer;
import org.worldserver.shard.world.AvatarTable;

/**
 * The messages that cross nodes every tick, written and read back by Jackson CBOR (the format before) and by {@link
 * TickMessageSerializer}: one cell's {@link RelayedFrames} for one node (observers × 34 updates, the interest
 * budget per tick), its {@link Ghosts} for one neighbour (30 avatars near the border) and one client {@link Input}.
 * The set-up prints each message's size in both formats ("bytes:" lines).
 *
 * <p>Run: {@code deploy/bench/jmh.sh TickMessageSerializerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TickMessageSerializerBenchmark {

    @Param({"cbor", "binary"})
    public String format;

    /** Remote observers in one cell's batch for one node: a quiet cell, and a crowd's cell (47 avatars, 2/3 remote). */
    @Param({"4", "32"})
    public int observers;

    private ActorSystem<Void> system;
    private SerializerWithStringManifest serializer;
    private RelayedFrames frames;
    private Ghosts ghosts;
    private Input input;
    private String framesManifest;
    private String ghostsManifest;
    private String inputManifest;

    @Setup(Level.Trial)
    public void setUp() throws NotSerializableException {
        // These classes are bound to the binary serializer now; Jackson writes them only if told it may.
        system = ActorSystem.create(
                Behaviors.empty(),
                "tick-message-bench",
                ConfigFactory.parseString(
                                "pekko.serialization.jackson.allowed-class-prefix = [\"org.worldserver.shard\"]")
                        .withFallback(ConfigFactory.load()));
        serializer = format.equals("binary")
                ? new TickMessageSerializer((ExtendedActorSystem) Adapter.toClassic(system))
                : (JacksonCborSerializer) SerializationExtension.get(system).serializerFor(RegionCell.Joined.class);
        SplittableRandom random = new SplittableRandom(3);
        List<RelayedFrame> list = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();
        int updates = 34;
        for (int o = 0; o < observers; o++) {
            int[] wire = new int[(updates + 1) * AvatarTable.WIRE_STRIDE];
            for (int i = 0; i < wire.length; i++) {
                wire[i] = i % AvatarTable.WIRE_STRIDE == 0 ? 1 + random.nextInt(60) : random.nextInt(200_000);
            }
            for (int i = 0; i < updates; i++) {
                names.putIfAbsent(wire[i * AvatarTable.WIRE_STRIDE], "bot-" + wire[i * AvatarTable.WIRE_STRIDE]);
            }
            list.add(new RelayedFrame("bot-" + o, 1000 + o, wire, new int[0]));
        }
        frames = new RelayedFrames(
                "plaza:5:0", system.systemActorOf(Behaviors.ignore(), SessionRelay.NAME, Props.empty()), list, names);
        int near = 30;
        String[] ids = new String[near];
        int[] entities = new int[near];
        float[] states = new float[near * 7];
        for (int i = 0; i < near; i++) {
            ids[i] = "bot-" + i;
            entities[i] = i + 1;
        }
        for (int i = 0; i < states.length; i++) {
            states[i] = (float) random.nextDouble(0, 1024);
        }
        ghosts = new Ghosts(4, ids, entities, states);
        input = new Input("bot-17", 4711, 0.5f, -0.25f, 0.7f, 0.7f);
        framesManifest = serializer.manifest(frames);
        ghostsManifest = serializer.manifest(ghosts);
        inputManifest = serializer.manifest(input);
        System.out.printf(
                "%nbytes: %s, %d observers: frames %d, ghosts %d, input %d%n",
                format,
                observers,
                serializer.toBinary(frames).length,
                serializer.toBinary(ghosts).length,
                serializer.toBinary(input).length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        system.terminate();
    }

    @Benchmark
    public Object frames() throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(frames), framesManifest);
    }

    @Benchmark
    public Object ghosts() throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(ghosts), ghostsManifest);
    }

    @Benchmark
    public Object input() throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(input), inputManifest);
    }

    /**
     * The frames as Artery carries them: a serializer that implements {@code ByteBufferSerializer} (the binary one)
     * writes into and reads from Artery's direct buffer; any other (Jackson) goes through a byte array that Artery
     * copies into the buffer, and out of it on the receiving side.
     */
    @Benchmark
    public Object framesAsArteryDoes() throws NotSerializableException {
        ByteBuffer buffer = BUFFER.get();
        buffer.clear();
        if (serializer instanceof TickMessageSerializer binary) {
            binary.toBinary(frames, buffer);
            buffer.flip();
            return binary.fromBinary(buffer, framesManifest);
        }
        buffer.put(serializer.toBinary(frames));
        buffer.flip();
        byte[] received = new byte[buffer.remaining()];
        buffer.get(received);
        return serializer.fromBinary(received, framesManifest);
    }

    private static final ThreadLocal<ByteBuffer> BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256 * 1024));
}

package org.worldserver.shard.serialization;

import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.worldserver.shard.gateway.SessionRelay;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrame;
import org.worldserver.shard.gateway.SessionRelay.RelayedFrames;
import org.worldserver.shard.gateway.SessionRelay.RelayedInput;
import org.worldserver.shard.gateway.SessionRelay.RelayedInputs;
import org.worldserver.shard.region.CellId;
import org.worldserver.shard.region.RegionCell.Ghosts;
import org.worldserver.shard.region.RegionCell.Input;
import org.worldserver.shard.world.AvatarTable;

/**
 * A compact binary format for the messages that cross nodes every tick: a client's {@link Input} (gateway to cell
 * through Cluster Sharding, before the session's first frame, and cell to cell when it forwards one), a gateway's
 * {@link RelayedInputs} (to the relay of the node running their cells), a cell's {@link Ghosts} (cell to
 * neighbouring cell) and a cell's {@link RelayedFrames} (cell to the relay of the node holding its observers'
 * sessions). Everything else stays Jackson CBOR.
 *
 * <p>Why: a profile of the hotspot cluster run showed about a third of each node's CPU in Artery and Jackson CBOR
 * (docs/benchmarks.md, "Re-balancing, second round"); these messages are nearly all of that traffic, and CBOR writes
 * each int of a frame as its own tagged item through Jackson's record introspection. Measured against CBOR in
 * {@code TickMessageSerializerBenchmark}.
 *
 * <p>Format (little-endian): ints and floats as 4 bytes; a string as an int byte length then its UTF-8 bytes; an
 * array as an int element count then the elements; an actor reference as the string of its serialization format. The
 * manifest names the message and the format's version ({@code frames-2} added the origin relay), so a node refuses
 * a version it does not know with a clear error instead of misreading it.
 *
 * <p>Bad bytes (truncated, a negative or oversized length, bytes left over, an unknown manifest) throw {@link
 * NotSerializableException} naming the message and what is wrong; Artery then drops that one message and logs it.
 *
 * <p>The decoder also checks what the receivers index by: a ghost batch has one entity id and seven floats per avatar
 * id, a relayed frame at least the observer's own state and whole {@link AvatarTable#WIRE_STRIDE} slots. A message
 * that fails these is refused here rather than throwing in the cell or relay that reads it; so is a relayed message
 * whose cell is not a cell id or whose origin is not a session relay.
 *
 * <p>Thread-safe: no state but the actor system's reference resolver and the relays it resolved. Implements {@link ByteBufferSerializer}:
 * Artery writes the relayed frames and inputs (sent to an actor on another node) straight into its send buffer.
 * Inputs to a cell and ghosts travel inside Cluster Sharding's envelope, which asks for a byte array.
 *
 * <p>Upgrades: a node without this serializer cannot read these messages, Jackson refuses classes bound elsewhere,
 * and a node reads only the manifests it knows, so nodes on either side of a change to this set cannot share a
 * cluster: upgrade by a full restart (deploy/README).
 */
public final class TickMessageSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

    /** This serializer's id in Pekko's registry (ids up to 40 are Pekko's own; Jackson CBOR is 33). */
    public static final int IDENTIFIER = 7041;

    static final String INPUT = "input-1";
    static final String INPUTS = "inputs-1";
    static final String GHOSTS = "ghosts-1";
    static final String FRAMES = "frames-2";

    /** Floats per avatar in {@link Ghosts#states()}: x, y, z, vx, vz, focusX, focusZ. */
    private static final int GHOST_FLOATS = 7;

    private final ExtendedActorSystem system;
    /** Resolves the relays named in frames; made on first use (Pekko makes serializers while the system starts). */
    private volatile ActorRefResolver resolver;

    /**
     * Relays already resolved and checked, and their written form: one per node of the cluster (a restarted node's
     * relay has a new uid), so frames arriving every tick neither parse a path nor build its string again.
     */
    private static final int KNOWN_RELAYS = 64;

    private final Map<String, ActorRef<SessionRelay.Command>> relays = new ConcurrentHashMap<>();
    private final Map<ActorRef<SessionRelay.Command>, String> relayTexts = new ConcurrentHashMap<>();

    /** Pekko makes one per actor system, with the system. */
    public TickMessageSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object message) {
        if (message instanceof Input) {
            return INPUT;
        }
        if (message instanceof RelayedInputs) {
            return INPUTS;
        }
        if (message instanceof Ghosts) {
            return GHOSTS;
        }
        if (message instanceof RelayedFrames) {
            return FRAMES;
        }
        throw cannotWrite(message);
    }

    @Override
    public byte[] toBinary(Object message) {
        ByteBuffer buffer = ByteBuffer.allocate(sizeOf(message));
        toBinary(message, buffer);
        return buffer.array();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return fromBinary(ByteBuffer.wrap(bytes), manifest);
    }

    @Override
    public void toBinary(Object message, ByteBuffer buffer) {
        ByteOrder order = buffer.order();
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (message instanceof Input input) {
                writeInput(input, buffer);
            } else if (message instanceof RelayedInputs inputs) {
                writeInputs(inputs, buffer);
            } else if (message instanceof Ghosts ghosts) {
                writeGhosts(ghosts, buffer);
            } else if (message instanceof RelayedFrames frames) {
                writeFrames(frames, buffer);
            } else {
                throw cannotWrite(message);
            }
        } finally {
            buffer.order(order);
        }
    }

    @Override
    public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
        ByteOrder order = buffer.order();
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        try {
            Object message = switch (manifest) {
                case INPUT -> readInput(buffer);
                case INPUTS -> readInputs(buffer);
                case GHOSTS -> readGhosts(buffer);
                case FRAMES -> readFrames(buffer);
                default ->
                    throw new NotSerializableException("unknown tick message manifest '" + manifest + "' (known: "
                            + INPUT + ", " + INPUTS + ", " + GHOSTS + ", " + FRAMES + ")");
            };
            if (buffer.hasRemaining()) {
                throw new NotSerializableException(
                        "malformed " + manifest + ": " + buffer.remaining() + " bytes left after the message");
            }
            return message;
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("malformed " + manifest + ": the message is truncated");
        } catch (MalformedException e) {
            throw new NotSerializableException("malformed " + manifest + ": " + e.getMessage());
        } finally {
            buffer.order(order);
        }
    }

    /** Exact size in bytes of {@code message} in this format. */
    int sizeOf(Object message) {
        if (message instanceof Input input) {
            return sizeOfInput(input);
        }
        if (message instanceof RelayedInputs batch) {
            int size = 4;
            for (RelayedInput relayed : batch.inputs()) {
                size += sizeOf(relayed.cell()) + sizeOfInput(relayed.input());
            }
            return size;
        }
        if (message instanceof Ghosts g) {
            int size = 4 + 4 + 4 + 4 * g.entityIds().length + 4 + 4 * g.states().length;
            for (String id : g.avatarIds()) {
                size += sizeOf(id);
            }
            return size;
        }
        if (message instanceof RelayedFrames f) {
            int size = sizeOf(f.cell()) + sizeOf(refText(f.origin())) + 4 + 4;
            for (RelayedFrame frame : f.frames()) {
                size += sizeOf(frame.observer()) + 4 + 4 + 4 * frame.wire().length + 4 + 4 * frame.departed().length;
            }
            for (Map.Entry<Integer, String> name : f.names().entrySet()) {
                size += 4 + sizeOf(name.getValue());
            }
            return size;
        }
        throw cannotWrite(message);
    }

    private static IllegalArgumentException cannotWrite(Object message) {
        return new IllegalArgumentException(
                "TickMessageSerializer cannot write " + message.getClass().getName());
    }

    private static int sizeOfInput(Input input) {
        return sizeOf(input.avatarId()) + 4 + 4 * 4;
    }

    private static void writeInput(Input input, ByteBuffer out) {
        writeString(input.avatarId(), out);
        out.putInt(input.sequence());
        out.putFloat(input.intentX());
        out.putFloat(input.intentZ());
        out.putFloat(input.focusX());
        out.putFloat(input.focusZ());
    }

    private static Input readInput(ByteBuffer in) throws MalformedException {
        return new Input(readString(in), in.getInt(), in.getFloat(), in.getFloat(), in.getFloat(), in.getFloat());
    }

    private static void writeInputs(RelayedInputs batch, ByteBuffer out) {
        out.putInt(batch.inputs().size());
        for (RelayedInput relayed : batch.inputs()) {
            writeString(relayed.cell(), out);
            writeInput(relayed.input(), out);
        }
    }

    private static RelayedInputs readInputs(ByteBuffer in) throws MalformedException {
        int count = readCount(in, 4 + 4 + 4 + 4 * 4, "inputs");
        List<RelayedInput> inputs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inputs.add(new RelayedInput(readCellId(in), readInput(in)));
        }
        return new RelayedInputs(inputs);
    }

    private static void writeGhosts(Ghosts g, ByteBuffer out) {
        out.putInt(g.fromIndex());
        out.putInt(g.avatarIds().length);
        for (String id : g.avatarIds()) {
            writeString(id, out);
        }
        writeInts(g.entityIds(), out);
        out.putInt(g.states().length);
        for (float f : g.states()) {
            out.putFloat(f);
        }
    }

    private static Ghosts readGhosts(ByteBuffer in) throws MalformedException {
        int fromIndex = in.getInt();
        String[] ids = new String[readCount(in, 4, "avatar ids")];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = readString(in);
        }
        int[] entities = readInts(in, "entity ids");
        float[] states = new float[readCount(in, 4, "states")];
        for (int i = 0; i < states.length; i++) {
            states[i] = in.getFloat();
        }
        if (entities.length != ids.length || states.length != GHOST_FLOATS * ids.length) {
            throw new MalformedException(ids.length + " avatar ids with " + entities.length + " entity ids and "
                    + states.length + " state floats (" + GHOST_FLOATS + " per avatar)");
        }
        return new Ghosts(fromIndex, ids, entities, states);
    }

    private void writeFrames(RelayedFrames f, ByteBuffer out) {
        writeString(f.cell(), out);
        writeString(refText(f.origin()), out);
        out.putInt(f.frames().size());
        for (RelayedFrame frame : f.frames()) {
            writeString(frame.observer(), out);
            out.putInt(frame.lastAppliedInput());
            writeInts(frame.wire(), out);
            writeInts(frame.departed(), out);
        }
        out.putInt(f.names().size());
        for (Map.Entry<Integer, String> name : f.names().entrySet()) {
            out.putInt(name.getKey());
            writeString(name.getValue(), out);
        }
    }

    private RelayedFrames readFrames(ByteBuffer in) throws MalformedException {
        String cell = readCellId(in);
        ActorRef<SessionRelay.Command> origin = readRelay(in);
        int count = readCount(in, 4 + 4 + 4 + 4, "frames");
        List<RelayedFrame> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String observer = readString(in);
            int lastAppliedInput = in.getInt();
            int[] wire = readInts(in, "wire");
            if (wire.length == 0 || wire.length % AvatarTable.WIRE_STRIDE != 0) {
                throw new MalformedException("frame for " + observer + " has " + wire.length + " wire ints, not whole "
                        + AvatarTable.WIRE_STRIDE + "-int slots ending with the observer's own");
            }
            frames.add(new RelayedFrame(observer, lastAppliedInput, wire, readInts(in, "departed")));
        }
        int names = readCount(in, 4 + 4, "names");
        Map<Integer, String> byEntity = new HashMap<>(names * 2);
        for (int i = 0; i < names; i++) {
            byEntity.put(in.getInt(), readString(in));
        }
        return new RelayedFrames(cell, origin, frames, byEntity);
    }

    /** A cell's entity id ({@link CellId#parse}): the relay addresses and parses it. */
    private static String readCellId(ByteBuffer in) throws MalformedException {
        String text = readString(in);
        try {
            CellId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
        return text;
    }

    /**
     * A relay's reference: a node's {@link SessionRelay#NAME} actor. Pekko resolves most strings to some reference
     * (dead letters for garbage, throwing on a few), so the name is checked: a frame naming anything else as its
     * origin would send its sessions' inputs there.
     */
    private ActorRef<SessionRelay.Command> readRelay(ByteBuffer in) throws MalformedException {
        String text = readString(in);
        ActorRef<SessionRelay.Command> known = relays.get(text);
        if (known != null) {
            return known;
        }
        ActorRef<SessionRelay.Command> relay;
        try {
            relay = resolver().resolveActorRef(text);
        } catch (RuntimeException e) {
            throw new MalformedException("origin '" + text + "' is not an actor reference (" + e + ")");
        }
        if (!relay.path().name().equals(SessionRelay.NAME)) {
            throw new MalformedException("origin '" + text + "' is not a session relay");
        }
        remember(relays, text, relay);
        return relay;
    }

    /** A relay's serialization format; a node writes its own relay into every frames message. */
    private String refText(ActorRef<SessionRelay.Command> ref) {
        String text = relayTexts.get(ref);
        if (text == null) {
            text = resolver().toSerializationFormat(ref);
            remember(relayTexts, ref, text);
        }
        return text;
    }

    /** Puts {@code key → value}, first forgetting everything once {@link #KNOWN_RELAYS} are kept (nodes come back). */
    private static <K, V> void remember(Map<K, V> known, K key, V value) {
        if (known.size() >= KNOWN_RELAYS) {
            known.clear();
        }
        known.put(key, value);
    }

    private static int sizeOf(String s) {
        return 4 + utf8Length(s);
    }

    private static void writeString(String s, ByteBuffer out) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.putInt(bytes.length);
        out.put(bytes);
    }

    private static String readString(ByteBuffer in) throws MalformedException {
        int length = readCount(in, 1, "string bytes");
        byte[] bytes = new byte[length]; // Artery's buffers are direct: no array to read in place
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeInts(int[] values, ByteBuffer out) {
        out.putInt(values.length);
        for (int v : values) {
            out.putInt(v);
        }
    }

    private static int[] readInts(ByteBuffer in, String what) throws MalformedException {
        int[] values = new int[readCount(in, 4, what)];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.getInt();
        }
        return values;
    }

    /**
     * Reads an element count and checks it against the bytes left ({@code minBytesEach} per element), so a corrupt
     * length fails here instead of allocating a huge array.
     */
    private static int readCount(ByteBuffer in, int minBytesEach, String what) throws MalformedException {
        int count = in.getInt();
        if (count < 0 || (long) count * minBytesEach > in.remaining()) {
            throw new MalformedException(
                    what + " count " + count + " does not fit the " + in.remaining() + " bytes left");
        }
        return count;
    }

    /** What {@code s.getBytes(UTF_8).length} would be, without encoding it. */
    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // a lone surrogate: getBytes writes '?' in its place
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** A length or count that does not fit the message. */
    private static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }
}

package org.worldserver.protocol.client;

import java.util.ArrayDeque;
import org.agrona.collections.Int2ObjectHashMap;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;

/**
 * The last few positions of each entity, stamped with server time, so that entities can be drawn between two
 * known states instead of jumping from snapshot to snapshot. Positions are kept in wire units (centimetres);
 * {@link #sample} answers in metres. Times are server microseconds (the Snapshot's {@code serverTimeMicros});
 * {@link ServerClock} maps the client's clock to them.
 *
 * <p>Each entity keeps a ring of the newest {@code samplesPerEntity} samples; an entity's buffer is reused for
 * the next one once it is {@link #remove removed}, so a steady view allocates nothing. Not thread-safe.
 */
public final class InterpolationBuffer {

    /** One entity's samples: a ring, {@code count} of them ending at {@code newest}, in increasing time. */
    private static final class Track {
        final long[] time;
        final int[] x;
        final int[] y;
        final int[] z;
        int newest = -1;
        int count;

        Track(int capacity) {
            time = new long[capacity];
            x = new int[capacity];
            y = new int[capacity];
            z = new int[capacity];
        }

        int at(int age) {
            return Math.floorMod(newest - age, time.length);
        }
    }

    private final int samplesPerEntity;
    private final Int2ObjectHashMap<Track> tracks = new Int2ObjectHashMap<>();
    private final ArrayDeque<Track> spare = new ArrayDeque<>();

    /** @param samplesPerEntity samples kept per entity, at least 2 (4 to 8 cover 200–400 ms at 20 Hz) */
    public InterpolationBuffer(int samplesPerEntity) {
        if (samplesPerEntity < 2) {
            throw new IllegalArgumentException("samplesPerEntity must be at least 2: " + samplesPerEntity);
        }
        this.samplesPerEntity = samplesPerEntity;
    }

    /** Adds a sample at {@code serverTimeMicros} for every entity of {@code view} (see {@link #add(int, long, int, int, int)}). */
    public void add(long serverTimeMicros, EntityStates view) {
        for (int i = 0; i < view.size(); i++) {
            add(view.entityId(i), serverTimeMicros, view.x(i), view.y(i), view.z(i));
        }
    }

    /**
     * Adds one entity's position (centimetres) at {@code serverTimeMicros}, evicting its oldest sample when full.
     * A sample at the time of the newest replaces it; an older one than the newest means the server's clock went
     * back (another node): the entity's samples restart from it.
     */
    public void add(int entityId, long serverTimeMicros, int x, int y, int z) {
        Track t = tracks.get(entityId);
        if (t == null) {
            t = spare.isEmpty() ? new Track(samplesPerEntity) : spare.pop();
            tracks.put(entityId, t);
        }
        if (t.count > 0 && serverTimeMicros <= t.time[t.newest]) {
            if (serverTimeMicros < t.time[t.newest]) {
                t.count = 0;
            } else {
                t.count--;
                t.newest = t.at(1);
            }
        }
        t.newest = (t.newest + 1) % samplesPerEntity;
        t.count = Math.min(t.count + 1, samplesPerEntity);
        t.time[t.newest] = serverTimeMicros;
        t.x[t.newest] = x;
        t.y[t.newest] = y;
        t.z[t.newest] = z;
    }

    /** Forgets an entity (it left the view). */
    public void remove(int entityId) {
        Track t = tracks.remove(entityId);
        if (t != null) {
            recycle(t);
        }
    }

    /** Forgets every entity. */
    public void clear() {
        tracks.values().forEach(this::recycle);
        tracks.clear();
    }

    private void recycle(Track t) {
        t.count = 0;
        t.newest = -1;
        spare.push(t);
    }

    /**
     * The entity's position at {@code renderTimeMicros} (server time), in metres, into {@code out[0..2]} (x east,
     * y up, z north): linear between the two samples around that time; the oldest sample before them and the
     * newest after them (no extrapolation).
     *
     * @return false, and {@code out} untouched, if the entity has no sample
     */
    public boolean sample(int entityId, long renderTimeMicros, float[] out) {
        Track t = tracks.get(entityId);
        if (t == null || t.count == 0) {
            return false;
        }
        int later = t.newest;
        if (renderTimeMicros >= t.time[later]) {
            put(t, later, later, 0, out);
            return true;
        }
        for (int age = 1; age < t.count; age++) {
            int earlier = t.at(age);
            if (t.time[earlier] <= renderTimeMicros) {
                double f = (double) (renderTimeMicros - t.time[earlier]) / (t.time[later] - t.time[earlier]);
                put(t, earlier, later, f, out);
                return true;
            }
            later = earlier;
        }
        put(t, later, later, 0, out); // before the oldest sample
        return true;
    }

    /** Entities with samples. */
    public int size() {
        return tracks.size();
    }

    private static void put(Track t, int a, int b, double f, float[] out) {
        out[0] = lerp(t.x[a], t.x[b], f);
        out[1] = lerp(t.y[a], t.y[b], f);
        out[2] = lerp(t.z[a], t.z[b], f);
    }

    private static float lerp(int a, int b, double f) {
        return (float) ((a + (b - (double) a) * f) / Quantization.POSITION_UNITS_PER_METRE);
    }
}

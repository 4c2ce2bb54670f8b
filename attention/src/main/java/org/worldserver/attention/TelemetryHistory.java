package org.worldserver.attention;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A short rolling history of telemetry: the last {@code length} intervals of each shard, and each node's latest
 * numbers. Samples come in per interval from every node, each stamped with its node's clock; they are put in rounds
 * of {@code intervalMillis} ({@link #roundOf}), and a sample in a round the shard already has (or an older one) is a
 * repeat and is dropped. Shards and nodes not heard from for a while are forgotten ({@link #forgetSilentSince}). Not
 * thread-safe: owned by one actor.
 */
public final class TelemetryHistory {

    private final int length;
    private final long intervalMillis;
    private final Map<String, Deque<ShardSample>> shards = new TreeMap<>();
    private final Map<String, NodeSample> nodes = new TreeMap<>();

    /**
     * @param length intervals kept per shard (at least 1)
     * @param intervalMillis how often nodes report: the length of a round
     */
    public TelemetryHistory(int length, long intervalMillis) {
        if (length < 1 || intervalMillis < 1) {
            throw new IllegalArgumentException("a history keeps at least one interval of at least 1 ms");
        }
        this.length = length;
        this.intervalMillis = intervalMillis;
    }

    /** The round a sample belongs to: the same for every node's report of one interval, whatever its clock's phase. */
    public long roundOf(ShardSample sample) {
        return Math.floorDiv(sample.endMillis(), intervalMillis);
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    /** Adds a shard's interval; false (and nothing changes) when it is not newer than the latest one kept. */
    public boolean add(ShardSample sample) {
        Deque<ShardSample> kept = shards.computeIfAbsent(sample.shard(), s -> new ArrayDeque<>(length));
        if (!kept.isEmpty() && roundOf(kept.peekLast()) >= roundOf(sample)) {
            return false;
        }
        kept.addLast(sample);
        if (kept.size() > length) {
            kept.removeFirst();
        }
        return true;
    }

    /** Records a node's latest numbers (an older sample than the one kept is dropped). */
    public void add(NodeSample sample) {
        nodes.merge(sample.node(), sample, (old, now) -> now.endMillis() >= old.endMillis() ? now : old);
    }

    /** The shards with any history, in id order. */
    public Set<String> shards() {
        return Collections.unmodifiableSet(shards.keySet());
    }

    /** A shard's intervals, oldest first (empty for an unknown shard). */
    public List<ShardSample> of(String shard) {
        Deque<ShardSample> kept = shards.get(shard);
        return kept == null ? List.of() : List.copyOf(kept);
    }

    /**
     * The avatars a move of {@code shard} decided now would pause: its latest count, plus the rise over its last
     * interval while it is rising (a crowd still gathering into it keeps coming while the move waits for the shard
     * coordinator and hands off); 0 for an unknown shard.
     */
    public int avatarsAtMove(String shard) {
        Deque<ShardSample> kept = shards.get(shard);
        if (kept == null || kept.isEmpty()) {
            return 0;
        }
        int latest = kept.peekLast().avatars();
        if (kept.size() < 2) {
            return latest;
        }
        Iterator<ShardSample> newestFirst = kept.descendingIterator();
        newestFirst.next();
        int before = newestFirst.next().avatars();
        return latest + Math.max(0, latest - before);
    }

    /** A shard's latest interval, or null. */
    public ShardSample latest(String shard) {
        Deque<ShardSample> kept = shards.get(shard);
        return kept == null ? null : kept.peekLast();
    }

    /** Each node's latest numbers, by node. */
    public Map<String, NodeSample> nodes() {
        return Collections.unmodifiableMap(nodes);
    }

    /** Forgets shards and nodes whose latest sample ended before {@code millis} (they moved away, or left). */
    public void forgetSilentSince(long millis) {
        List<String> silent = new ArrayList<>();
        shards.forEach((shard, kept) -> {
            if (kept.peekLast().endMillis() < millis) {
                silent.add(shard);
            }
        });
        silent.forEach(shards::remove);
        nodes.values().removeIf(n -> n.endMillis() < millis);
    }
}

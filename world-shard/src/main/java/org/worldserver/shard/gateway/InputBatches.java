package org.worldserver.shard.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.worldserver.shard.region.RegionCell;

/**
 * The gateway's inputs for cells on other nodes, held per destination {@link SessionRelay} for at most one window
 * and then sent as one {@link SessionRelay.RelayedInputs}: a few inputs per Artery message instead of one each
 * (crossing nodes costs per message, and it was about a third of a node's CPU in the hotspot profile,
 * docs/benchmarks.md). A batch goes when its oldest input has waited the window, or at once when it holds {@code
 * maxInputs}. Inputs keep their order within a destination.
 *
 * <p>Latency: an input waits at most the window (plus one duty cycle of the gateway, about 1 ms when idle) before it
 * leaves. The cell applies it at its first tick after it arrives, and the cell's ticks (every 50 ms at 20 Hz) keep
 * their own phase: the time until an input is applied grows by at most the window (about half of it on average),
 * though an input that would have just made a tick now waits for the next.
 *
 * <p>Threading: {@link #add} and {@link #flushDue} run on the gateway's receiving thread only; the counters are read
 * from any thread.
 */
public final class InputBatches {

    private final long windowNanos;
    private final int maxInputs;
    private final Map<ActorRef<SessionRelay.Command>, Batch> open = new HashMap<>();
    private final LongAdder inputsSent = new LongAdder();
    private final LongAdder batchesSent = new LongAdder();

    /** Inputs for one relay, the first held at {@code firstNanos}; never empty while in {@link #open}. */
    private record Batch(long firstNanos, List<SessionRelay.RelayedInput> inputs) {
        Batch(long firstNanos) {
            this(firstNanos, new ArrayList<>());
        }
    }

    /**
     * @param windowNanos longest an input is held, in nanoseconds; 0 sends each input on its own
     * @param maxInputs most inputs in one message (at least 1)
     */
    public InputBatches(long windowNanos, int maxInputs) {
        if (windowNanos < 0 || maxInputs < 1) {
            throw new IllegalArgumentException("an input batch window of at least 0 and at least 1 input a batch, not "
                    + windowNanos + " ns and " + maxInputs);
        }
        this.windowNanos = windowNanos;
        this.maxInputs = maxInputs;
    }

    /** Holds {@code input} for the cell {@code cell} (an entity id) on the node of {@code relay}; may send at once. */
    public void add(ActorRef<SessionRelay.Command> relay, String cell, RegionCell.Input input, long nowNanos) {
        Batch batch = open.computeIfAbsent(relay, any -> new Batch(nowNanos));
        batch.inputs.add(new SessionRelay.RelayedInput(cell, input));
        if (batch.inputs.size() >= maxInputs || windowNanos == 0) {
            open.remove(relay);
            send(relay, batch);
        }
    }

    /** Sends every batch whose oldest input has waited the window by {@code nowNanos}; returns how many were sent. */
    public int flushDue(long nowNanos) {
        if (open.isEmpty()) {
            return 0; // the common case on an idle duty cycle: no iterator
        }
        int sent = 0;
        for (Iterator<Map.Entry<ActorRef<SessionRelay.Command>, Batch>> it =
                        open.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<ActorRef<SessionRelay.Command>, Batch> e = it.next();
            if (nowNanos - e.getValue().firstNanos() >= windowNanos) {
                it.remove();
                send(e.getKey(), e.getValue());
                sent++;
            }
        }
        return sent;
    }

    private void send(ActorRef<SessionRelay.Command> relay, Batch batch) {
        relay.tell(new SessionRelay.RelayedInputs(batch.inputs()));
        inputsSent.add(batch.inputs().size());
        batchesSent.increment();
    }

    /** Inputs sent to relays on other nodes so far; any thread. */
    public long inputsSent() {
        return inputsSent.sum();
    }

    /** Messages those inputs took; any thread. */
    public long batchesSent() {
        return batchesSent.sum();
    }
}

package org.worldserver.shard.gateway;

import org.worldserver.protocol.sbe.ResponseStatus;

/**
 * The requests a session sent lately and the answers they got, so that a repeated Request (a client repeats one
 * until it is answered) is answered again and never executed twice. Remembers the last {@link #CAPACITY} request
 * ids, answered or still running; an older answered id is forgotten (its client has long given up: it repeats for
 * seconds, and the session may send only a few requests a second). A running request is never forgotten while
 * another slot can go: the world answers within 5 s, in which a session sends at most 60 requests (10 a second,
 * bursts of 10), fewer than the capacity. Owned by the gateway's thread; not thread-safe.
 */
final class RequestLedger {

    static final int CAPACITY = 64;

    /** The answer a request got: its status and UTF-8 message (empty for OK). */
    record Answer(ResponseStatus status, byte[] message) {}

    /** A request being executed: its id is known, its answer not yet. */
    static final Answer RUNNING = new Answer(null, new byte[0]);

    private final long[] ids = new long[CAPACITY];
    private final Answer[] answers = new Answer[CAPACITY];
    private int next;

    /** What became of request {@code id}: its answer, {@link #RUNNING}, or null if unknown (new, or forgotten). */
    Answer find(long id) {
        for (int i = 0; i < CAPACITY; i++) {
            if (answers[i] != null && ids[i] == id) {
                return answers[i];
            }
        }
        return null;
    }

    /** Records request {@code id} as running, or with its answer; forgets the oldest when full. */
    void record(long id, Answer answer) {
        for (int i = 0; i < CAPACITY; i++) {
            if (answers[i] != null && ids[i] == id) {
                answers[i] = answer;
                return;
            }
        }
        for (int tries = 0; tries < CAPACITY && answers[next] == RUNNING; tries++) {
            next = (next + 1) % CAPACITY; // keep running requests: their repeats must not execute them again
        }
        ids[next] = id;
        answers[next] = answer;
        next = (next + 1) % CAPACITY;
    }
}

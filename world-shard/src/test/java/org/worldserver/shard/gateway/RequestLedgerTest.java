package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.worldserver.protocol.sbe.ResponseStatus;

/** Answers are remembered for repeats; the oldest answered ones go first, running ones only when nothing else can. */
class RequestLedgerTest {

    private static final RequestLedger.Answer OK = new RequestLedger.Answer(ResponseStatus.OK, new byte[0]);

    @Test
    void shouldForgetTheOldestAnswersButKeepRunningRequests() {
        RequestLedger ledger = new RequestLedger();
        ledger.record(1, RequestLedger.RUNNING);
        for (long id = 2; id < 2 + 3 * RequestLedger.CAPACITY; id++) {
            ledger.record(id, OK);
        }
        assertSame(RequestLedger.RUNNING, ledger.find(1), "still running: a repeat must not execute it again");
        assertNull(ledger.find(2), "the oldest answer is forgotten");
        assertSame(OK, ledger.find(1 + 3 * RequestLedger.CAPACITY), "the newest is remembered");
        ledger.record(1, OK);
        assertSame(OK, ledger.find(1), "answered in place");

        RequestLedger full = new RequestLedger();
        for (long id = 0; id <= RequestLedger.CAPACITY; id++) {
            full.record(id, RequestLedger.RUNNING); // more running than slots: only then does one go
        }
        assertSame(RequestLedger.RUNNING, full.find(RequestLedger.CAPACITY));
        assertNull(full.find(0));
    }
}

package org.worldserver.shard.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.worldserver.timebank.AttentionSettlement;

/** The settlement journal's rules on the in-memory journal; the testkit also round-trips every message. */
class RegionAttentionTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "attention-test",
            EventSourcedBehaviorTestKit.config()
                    .withFallback(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = off"))
                    .withFallback(ConfigFactory.load()));

    private EventSourcedBehaviorTestKit<RegionAttention.Command, RegionAttention.Event, RegionAttention.State> journal;

    /** The time bank's side, answered by the test: each settlement asked, in order, with its future. */
    private final List<CompletableFuture<AttentionSettlement.Outcome>> asked = new CopyOnWriteArrayList<>();

    private final List<String> askedFor = new CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void create() {
        journal = EventSourcedBehaviorTestKit.create(KIT.system(), RegionAttention.create("harbour", (id, micros) -> {
            CompletableFuture<AttentionSettlement.Outcome> answer = new CompletableFuture<>();
            askedFor.add(id);
            asked.add(answer);
            return answer;
        }));
    }

    private static AttentionBatch batch(long startSecond, long endSecond, Map<String, Long> micros) {
        return batch("harbour:0:0", startSecond, endSecond, micros);
    }

    private static AttentionBatch batch(String cell, long startSecond, long endSecond, Map<String, Long> micros) {
        Instant end = Instant.ofEpochSecond(endSecond);
        return new AttentionBatch(
                AttentionBatch.idFor(cell, end), "harbour", Instant.ofEpochSecond(startSecond), end, micros);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    RegionAttention.Command, RegionAttention.Event, RegionAttention.State, StatusReply<Done>>
            record(AttentionBatch batch) {
        return journal.runCommand(replyTo -> new RegionAttention.Record(batch, replyTo));
    }

    @Test
    void shouldRecordEachBatchOnceAndAcknowledgeRetries() {
        AttentionBatch first = batch(0, 60, Map.of("ada", 1_500_000L, "bob", 500_000L));
        var stored = record(first);
        assertTrue(stored.reply().isSuccess());
        assertEquals(new RegionAttention.BatchRecorded(first), stored.event());
        assertEquals(2_000_000L, first.totalMicros());

        var retry = record(first);
        assertTrue(retry.reply().isSuccess(), "a retry is acknowledged");
        assertTrue(retry.hasNoEvents(), "and not stored twice");
        var older = record(batch(0, 30, Map.of("ada", 1L)));
        assertTrue(older.hasNoEvents(), "a period that ends before the last one is not stored");

        var otherCell = record(batch("harbour:1:0", 0, 60, Map.of("cy", 7L)));
        assertEquals(1, otherCell.events().size(), "each cell's periods are its own");

        journal.restart();
        assertTrue(record(first).hasNoEvents(), "idempotency survives recovery");
        assertTrue(record(batch("harbour:1:0", 0, 60, Map.of("cy", 7L))).hasNoEvents());
    }

    @Test
    void shouldRejectBatchesThatAreNotThisRegionsOrNegative() {
        Instant end = Instant.ofEpochSecond(60);
        var wrongRegion = record(new AttentionBatch(
                AttentionBatch.idFor("market:0:0", end), "market", Instant.EPOCH, end, Map.of("ada", 1L)));
        assertTrue(wrongRegion.reply().isError());
        assertTrue(wrongRegion.hasNoEvents());
        var cellOfAnotherRegion = record(new AttentionBatch(
                AttentionBatch.idFor("market:0:0", end), "harbour", Instant.EPOCH, end, Map.of("ada", 1L)));
        assertTrue(cellOfAnotherRegion.reply().isError());
        var negative = record(batch(0, 60, Map.of("ada", -5L)));
        assertTrue(negative.reply().getError().getMessage().startsWith("attention-invalid-batch"));
        var emptyPeriod = record(batch(60, 60, Map.of("ada", 5L)));
        assertTrue(emptyPeriod.reply().isError());
    }

    @Test
    void shouldKeepTheNewestBatchesFirstAndBounded() {
        for (int i = 1; i <= RegionAttention.RECENT + 5; i++) {
            record(batch((i - 1) * 60L, i * 60L, Map.of("ada", (long) i)));
        }
        var recent = journal.<RegionAttention.RecentBatches>runCommand(RegionAttention.Recent::new)
                .reply();
        assertEquals(RegionAttention.RECENT, recent.batches().size());
        assertEquals(
                Instant.ofEpochSecond((RegionAttention.RECENT + 5) * 60L),
                recent.batches().get(0).periodEnd());
    }

    @Test
    void shouldPayEachRecordedBatchAndAgainAfterARestartUntilItIsSettled() throws Exception {
        AttentionBatch first = batch(0, 60, Map.of("ada", 1_500_000L));
        record(first);
        awaitAsked(1);
        assertEquals(List.of(first.batchId()), askedFor);
        assertEquals(List.of(first), journal.getState().unsettled());

        // The node stops before the bank answered: recovery asks again (the bank is idempotent by batch id).
        journal.restart();
        awaitAsked(2);
        assertEquals(List.of(first.batchId(), first.batchId()), askedFor);
        asked.get(1).complete(new AttentionSettlement.Outcome(first.batchId(), 1_500, Map.of("ada", 1_500L), Map.of()));
        KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(journal.getState().unsettled().isEmpty(), "the batch was not marked settled");
            return null;
        });
        // The first, late answer changes nothing more: the batch is recorded as settled once.
        asked.get(0).complete(new AttentionSettlement.Outcome(first.batchId(), 1_500, Map.of("ada", 1_500L), Map.of()));
        journal.runCommand(RegionAttention.Recent::new); // handled after the late answer's own message
        assertEquals(1, settledEvents(), "settled once");
        journal.restart();
        // Recovery (and the payments it asks for) completes before any command is handled: after this one, every
        // payment the restart would ask for has been asked.
        journal.runCommand(RegionAttention.Recent::new);
        assertEquals(2, askedFor.size(), "a settled batch is not paid again after a restart");
    }

    private void awaitAsked(int count) {
        KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertTrue(asked.size() >= count, "the time bank was not asked");
            return null;
        });
    }

    private long settledEvents() {
        return journal.persistenceTestKit().persistedInStorage(RegionAttention.ENTITY_KEY.name() + "|harbour").stream()
                .filter(e -> e instanceof RegionAttention.BatchSettled)
                .count();
    }
}

package org.worldserver.asset;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.worldserver.persistence.CborSerializable;

/**
 * The metadata index as a projection of the asset events: one instance per cluster (a cluster singleton) that
 * follows the events tagged {@value Asset#TAG} in Cassandra and folds them into an {@link AssetIndex}, and answers
 * searches from it.
 *
 * <ul>
 *   <li><b>Durable and at-least-once.</b> Each changed document is written to {@code asset_index}; the offset of the
 *       last applied event to {@code projection_offsets} after its document, at most once a second (so a restart
 *       re-reads what came after the stored offset, about a second's worth again, and the index ignores repeats).
 *   <li><b>Gaps.</b> Should an asset's next event be missing from the tag stream, its events are read from the
 *       asset's own journal up to the one that arrived.
 *   <li><b>Rebuild.</b> Drops the stored documents and offset and reads the whole journal again.
 *   <li><b>Lag.</b> For the last applied event: how long after it was written it was applied (the plugin's
 *       events-by-tag delay, {@code eventual-consistency-delay}, is part of it).
 * </ul>
 *
 * All state is the actor's; the stream asks it event by event (one at a time).
 */
public final class AssetIndexProjection {

    /** The name of this projection in {@code projection_offsets}. */
    public static final String NAME = "asset-index";

    public sealed interface Command extends CborSerializable {}

    public record Search(AssetIndex.Query query, ActorRef<Results> replyTo) implements Command {}

    public record Results(List<AssetIndex.Doc> docs, boolean live) implements CborSerializable {}

    public record GetStatus(ActorRef<Status> replyTo) implements Command {}

    /**
     * @param live whether the stored state has been loaded and the event stream is being followed
     * @param lagMillis for the last applied event, from its write to its application; -1 before the first
     */
    public record Status(
            boolean live,
            int assets,
            long applied,
            long repeated,
            long gapsFilled,
            String offset,
            Instant lastEventAt,
            long lagMillis)
            implements CborSerializable {}

    public record Rebuild(ActorRef<Status> replyTo) implements Command {}

    /** The stream's next event; answered once it is applied and its document stored. */
    record Apply(EventEnvelope envelope, boolean fromGap, ActorRef<Applied> replyTo) implements Command {}

    /** @param gapFrom when not 0: the asset's events from this sequence number are missing and must be read first */
    record Applied(long gapFrom) implements CborSerializable {}

    record Loaded(List<AssetIndex.Doc> docs, Offset offset, Throwable failure) implements Command {}

    record Stored(Throwable failure) implements Command {}

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Duration ASK = Duration.ofSeconds(30);
    private static final String PLUGIN = "pekko.persistence.cassandra";

    /** Starts the projection on the cluster (once) and returns its proxy, to ask from anywhere. */
    public static ActorRef<Command> init(ActorSystem<?> system) {
        return ClusterSingleton.get(system)
                .init(SingletonActor.of(
                        Behaviors.supervise(create())
                                .onFailure(SupervisorStrategy.restartWithBackoff(
                                        Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
                        NAME));
    }

    static Behavior<Command> create() {
        return Behaviors.setup(context -> new AssetIndexProjection(context).loading());
    }

    private final ActorContext<Command> context;
    private final ActorSystem<?> system;
    private final CassandraSession session;
    /**
     * Taken once the projection's own tables have answered (so the schema is there): the read journal prepares its
     * statements on first use and keeps a failure to prepare them (a missing keyspace) for good.
     */
    private CassandraReadJournal journal;

    private final String keyspace;
    private AssetIndex index = new AssetIndex();
    private UniqueKillSwitch stream;
    /** Written by the actor, read by the stream when it restarts (hence volatile). */
    private volatile Offset offset = NoOffset.getInstance();

    private long applied;
    private long repeated;
    private long gapsFilled;
    private Instant lastEventAt;
    private long lagMillis = -1;
    private long offsetStoredAt;

    /** The offset is stored at most this often (events after it are applied again after a restart, as repeats). */
    private static final long OFFSET_EVERY_MILLIS = 1_000;

    private AssetIndexProjection(ActorContext<Command> context) {
        this.context = context;
        this.system = context.getSystem();
        this.session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
        this.keyspace = system.settings().config().getString(PLUGIN + ".journal.keyspace");
    }

    /** Loads the stored documents and offset, then follows the events from there. */
    private Behavior<Command> loading() {
        CompletionStage<List<Row>> docs = session.selectAll("SELECT doc FROM " + keyspace + ".asset_index");
        CompletionStage<List<Row>> offsets = session.selectAll(
                "SELECT event_offset FROM " + keyspace + ".projection_offsets WHERE projection = ?", NAME);
        context.pipeToSelf(
                docs.thenCombine(offsets, (d, o) -> {
                    List<AssetIndex.Doc> loaded = new ArrayList<>(d.size());
                    for (Row row : d) {
                        loaded.add(read(row.getString("doc")));
                    }
                    UUID uuid = o.isEmpty() ? null : o.get(0).getUuid("event_offset");
                    return new Loaded(loaded, uuid == null ? NoOffset.getInstance() : new TimeBasedUUID(uuid), null);
                }),
                (loaded, failure) -> failure != null ? new Loaded(List.of(), null, failure) : loaded);
        return waitingToLoad().build();
    }

    private Behavior<Command> onLoaded(Loaded l) {
        if (l.failure() != null) {
            throw new IllegalStateException("cannot load the asset index", l.failure()); // restarted with backoff
        }
        if (journal == null) {
            journal = PersistenceQuery.get(Adapter.toClassic(system))
                    .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        }
        index = new AssetIndex();
        l.docs().forEach(index::put);
        offset = l.offset();
        follow();
        context.getLog().info("Asset index: {} documents loaded, following events from {}", index.size(), offset);
        return live();
    }

    /** While the stored state loads (at start, or after a rebuild's reset): answers as not live. */
    private BehaviorBuilder<Command> waitingToLoad() {
        return Behaviors.receive(Command.class)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(Search.class, s -> {
                    s.replyTo().tell(new Results(List.of(), false));
                    return Behaviors.same();
                })
                .onMessage(GetStatus.class, s -> {
                    s.replyTo().tell(status(false));
                    return Behaviors.same();
                })
                .onMessage(Rebuild.class, s -> {
                    s.replyTo().tell(status(false));
                    return Behaviors.same();
                });
    }

    private Behavior<Command> live() {
        return Behaviors.receive(Command.class)
                .onMessage(Apply.class, this::onApply)
                .onMessage(Search.class, s -> {
                    s.replyTo().tell(new Results(index.query(s.query()), true));
                    return Behaviors.same();
                })
                .onMessage(GetStatus.class, s -> {
                    s.replyTo().tell(status(true));
                    return Behaviors.same();
                })
                .onMessage(Rebuild.class, this::onRebuild)
                .onMessage(Stored.class, s -> {
                    if (s.failure() != null) {
                        throw new IllegalStateException("cannot store the asset index", s.failure());
                    }
                    return Behaviors.same();
                })
                .onSignal(PreRestart.class, s -> stopStream())
                .onSignal(PostStop.class, s -> stopStream())
                .build();
    }

    /** The stream belongs to this incarnation: it ends with it. */
    private Behavior<Command> stopStream() {
        if (stream != null) {
            stream.shutdown();
        }
        return Behaviors.same();
    }

    /** Starts the event stream from the current offset: each event is applied by this actor, one at a time. */
    private void follow() {
        ActorRef<Command> self = context.getSelf();
        Source<EventEnvelope, ?> events = RestartSource.withBackoff(
                RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
                () -> journal.eventsByTag(Asset.TAG, this.offset));
        stream = events.viaMat(KillSwitches.single(), Keep.right())
                .mapAsync(1, envelope -> applyWithGaps(self, envelope))
                .toMat(Sink.ignore(), Keep.left())
                .run(system);
    }

    /** Applies one event; should it reveal a gap, reads the asset's missing events from its journal first. */
    private CompletionStage<Done> applyWithGaps(ActorRef<Command> self, EventEnvelope envelope) {
        return ask(self, envelope, false).thenCompose(result -> {
            if (result.gapFrom() == 0) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return journal.currentEventsByPersistenceId(
                            envelope.persistenceId(), result.gapFrom(), envelope.sequenceNr())
                    .mapAsync(1, missing -> ask(self, missing, true))
                    .runWith(Sink.ignore(), system);
        });
    }

    private CompletionStage<Applied> ask(ActorRef<Command> self, EventEnvelope envelope, boolean fromGap) {
        return AskPattern.ask(self, r -> new Apply(envelope, fromGap, r), ASK, system.scheduler());
    }

    private Behavior<Command> onApply(Apply a) {
        EventEnvelope e = a.envelope();
        String asset = e.persistenceId().substring(e.persistenceId().indexOf('|') + 1);
        AssetIndex.Applied result = index.apply(asset, (Asset.Event) e.event(), e.sequenceNr());
        switch (result) {
            case GAP -> {
                AssetIndex.Doc doc = index.get(asset);
                a.replyTo().tell(new Applied(doc == null ? 1 : doc.sequence() + 1));
                return Behaviors.same();
            }
            case REPEATED -> repeated++;
            default -> {
                applied++;
                if (a.fromGap()) {
                    gapsFilled++;
                }
            }
        }
        lastEventAt = Instant.ofEpochMilli(e.timestamp());
        lagMillis = Math.max(0, System.currentTimeMillis() - e.timestamp());
        if (!a.fromGap()) {
            offset = e.offset();
        }
        CompletionStage<Done> stored = result == AssetIndex.Applied.APPLIED
                ? store(index.get(asset))
                : CompletableFuture.completedFuture(Done.getInstance());
        Offset reached = offset;
        boolean storeOffset = !a.fromGap() && System.currentTimeMillis() - offsetStoredAt >= OFFSET_EVERY_MILLIS;
        if (storeOffset) {
            offsetStoredAt = System.currentTimeMillis();
        }
        ActorRef<Command> self = context.getSelf(); // the callback runs outside the actor
        stored.thenCompose(done -> storeOffset ? storeOffset(reached) : CompletableFuture.completedFuture(done))
                .whenComplete((done, failure) -> {
                    if (failure != null) {
                        self.tell(new Stored(failure));
                    }
                    a.replyTo().tell(new Applied(0)); // the stream goes on once this event is durable
                });
        return Behaviors.same();
    }

    private Behavior<Command> onRebuild(Rebuild r) {
        stream.shutdown();
        CompletionStage<Done> cleared = session.executeWrite("TRUNCATE " + keyspace + ".asset_index")
                .thenCompose(d -> session.executeWrite(
                        "DELETE FROM " + keyspace + ".projection_offsets WHERE projection = ?", NAME));
        index = new AssetIndex();
        offset = NoOffset.getInstance();
        applied = 0;
        repeated = 0;
        gapsFilled = 0;
        lagMillis = -1;
        lastEventAt = null;
        context.pipeToSelf(
                cleared.thenApply(d -> new Loaded(List.of(), NoOffset.getInstance(), null)),
                (loaded, failure) -> failure != null ? new Loaded(List.of(), null, failure) : loaded);
        r.replyTo().tell(status(false));
        context.getLog().info("Asset index: rebuilding from the journal");
        return waitingToLoad()
                .onMessage(Apply.class, a -> Behaviors.same()) // the old stream's last words
                .build();
    }

    private CompletionStage<Done> store(AssetIndex.Doc doc) {
        return session.executeWrite(
                "INSERT INTO " + keyspace + ".asset_index (asset, sequence, doc) VALUES (?, ?, ?)",
                doc.id(),
                doc.sequence(),
                write(doc));
    }

    private CompletionStage<Done> storeOffset(Offset reached) {
        if (!(reached instanceof TimeBasedUUID uuid)) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        return session.executeWrite(
                "INSERT INTO " + keyspace + ".projection_offsets (projection, event_offset, updated) VALUES (?, ?, ?)",
                NAME,
                uuid.value(),
                Instant.now());
    }

    private Status status(boolean live) {
        return new Status(
                live,
                index.size(),
                applied,
                repeated,
                gapsFilled,
                offset instanceof TimeBasedUUID u ? u.value().toString() : null,
                lastEventAt,
                lagMillis);
    }

    private static String write(AssetIndex.Doc doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AssetIndex.Doc read(String json) {
        try {
            return JSON.readValue(json, AssetIndex.Doc.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored index document cannot be read: " + json, e);
        }
    }
}

package org.worldserver.persistence;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A minimal sharded, event-sourced entity used only to prove the persistence wiring (journal, snapshots,
 * serialization) against a real Cassandra: {@code Sign} → {@code Signed} → names appended.
 */
final class Guestbook
        extends EventSourcedBehaviorWithEnforcedReplies<Guestbook.Command, Guestbook.Event, Guestbook.State> {

    static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Guestbook");

    sealed interface Command extends CborSerializable {}

    record Sign(String name, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    record Get(ActorRef<Summary> replyTo) implements Command {}

    sealed interface Event extends CborSerializable {}

    record Signed(String name) implements Event {}

    record State(List<String> names) implements CborSerializable {
        State with(String name) {
            List<String> copy = new ArrayList<>(names);
            copy.add(name);
            return new State(List.copyOf(copy));
        }
    }

    record Summary(List<String> names) implements CborSerializable {}

    static Behavior<Command> create(String id) {
        return new Guestbook(id);
    }

    private Guestbook(String id) {
        super(PersistenceId.of(ENTITY_KEY.name(), id));
    }

    @Override
    public State emptyState() {
        return new State(List.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(3, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Sign.class, this::onSign)
                .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), new Summary(state.names())))
                .build();
    }

    private ReplyEffect<Event, State> onSign(State state, Sign sign) {
        if (sign.name().isBlank()) {
            return Effect().reply(sign.replyTo(), StatusReply.error("name must not be blank"));
        }
        return Effect()
                .persist(new Signed(sign.name()))
                .thenReply(sign.replyTo(), updated -> StatusReply.success(new Summary(updated.names())));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Signed.class, (state, e) -> state.with(e.name()))
                .build();
    }
}

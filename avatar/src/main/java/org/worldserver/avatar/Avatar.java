package org.worldserver.avatar;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.worldserver.persistence.CborSerializable;

/**
 * An avatar: identity, profile, presence and last known position, as a sharded event-sourced entity.
 *
 * <pre>
 * Unregistered ── Register → AvatarRegistered ──▶ Registered(offline)
 * Registered: ChangeProfile → ProfileChanged        SetHomeRegion → HomeRegionChanged
 *             Login(region) → LoggedIn (offline only)
 *             CheckpointPosition(pos) → PositionCheckpointed   (online, same region, at most once per interval)
 *             ChangeRegion(pos) → RegionChanged                (online; pos is in the new region)
 *             Logout(pos) → LoggedOut                          (online)
 * Get → Summary (any registered state)
 * </pre>
 *
 * Positions are in metres, region-local. They are persisted only at logout, region change and checkpoints (at
 * most one per {@link AvatarSettings#positionCheckpointInterval()}), never per tick: the live position is owned
 * by the cell simulating the avatar. Every command replies; a refused one replies {@code StatusReply.error} with
 * an {@link AvatarRejection} code. Time comes from the injected clock, read in command handlers only.
 */
public final class Avatar extends EventSourcedBehaviorWithEnforcedReplies<Avatar.Command, Avatar.Event, Avatar.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Avatar");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final int MAX_DISPLAY_NAME = 32;
    private static final int PUBLIC_KEY_BYTES = 32;

    /** A point in a region, in metres relative to the region's origin. */
    public record Position(String region, double x, double y, double z) implements CborSerializable {}

    // ---- commands ----

    public sealed interface Command extends CborSerializable {}

    /** Creates the avatar. {@code publicKey} is the base64 of a 32-byte Ed25519 public key. */
    public record Register(
            String displayName, String publicKey, String homeRegion, ActorRef<StatusReply<Summary>> replyTo)
            implements Command {}

    public record ChangeProfile(String displayName, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    public record SetHomeRegion(String region, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** The avatar enters the world in {@code region}. */
    public record Login(String region, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** A periodic save of the live position; persisted at most once per checkpoint interval. */
    public record CheckpointPosition(Position position, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** The avatar moved to another region; {@code position} is its position there. */
    public record ChangeRegion(Position position, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    /** The avatar leaves the world at {@code position}. */
    public record Logout(Position position, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    public record Get(ActorRef<StatusReply<Summary>> replyTo) implements Command {}

    // ---- events ----

    public sealed interface Event extends CborSerializable {}

    public record AvatarRegistered(String displayName, String publicKey, String homeRegion, Instant at)
            implements Event {}

    public record ProfileChanged(String displayName, Instant at) implements Event {}

    public record HomeRegionChanged(String region, Instant at) implements Event {}

    public record LoggedIn(String region, Instant at) implements Event {}

    public record PositionCheckpointed(Position position, Instant at) implements Event {}

    public record RegionChanged(String fromRegion, Position position, Instant at) implements Event {}

    public record LoggedOut(Position position, Instant at) implements Event {}

    // ---- state ----

    public sealed interface State extends CborSerializable {}

    public record Unregistered() implements State {}

    /**
     * @param onlineRegion the region the avatar is in while online, null while offline
     * @param lastPosition the last persisted position, null until the first one
     */
    public record Registered(
            String displayName,
            String publicKey,
            String homeRegion,
            Instant registeredAt,
            String onlineRegion,
            Position lastPosition,
            Instant lastPositionAt)
            implements State {

        boolean online() {
            return onlineRegion != null;
        }

        Registered withDisplayName(String name) {
            return new Registered(
                    name, publicKey, homeRegion, registeredAt, onlineRegion, lastPosition, lastPositionAt);
        }

        Registered withHomeRegion(String region) {
            return new Registered(
                    displayName, publicKey, region, registeredAt, onlineRegion, lastPosition, lastPositionAt);
        }

        Registered withOnlineRegion(String region) {
            return new Registered(
                    displayName, publicKey, homeRegion, registeredAt, region, lastPosition, lastPositionAt);
        }

        Registered withPosition(String region, Position position, Instant at) {
            return new Registered(displayName, publicKey, homeRegion, registeredAt, region, position, at);
        }
    }

    /** What callers see of an avatar (never the State itself). */
    public record Summary(
            String id,
            String displayName,
            String publicKey,
            String homeRegion,
            Instant registeredAt,
            boolean online,
            String onlineRegion,
            Position lastPosition,
            Instant lastPositionAt)
            implements CborSerializable {}

    // ---- behaviour ----

    private final String id;
    private final AvatarSettings settings;
    private final Clock clock;

    private Avatar(String id, AvatarSettings settings, Clock clock) {
        super(
                PersistenceId.of(ENTITY_KEY.name(), id),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
        this.id = id;
        this.settings = settings;
        this.clock = clock;
    }

    public static Behavior<Command> create(String id, AvatarSettings settings, Clock clock) {
        return new Avatar(id, settings, clock);
    }

    /** Registers the Avatar entity type with Cluster Sharding on this node. */
    public static void init(ActorSystem<?> system) {
        AvatarSettings settings =
                AvatarSettings.fromRootConfig(system.settings().config());
        ClusterSharding.get(system)
                .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC())));
    }

    /** True if {@code id} is a well-formed avatar id: 1–64 of {@code A-Z a-z 0-9 _ -}. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    @Override
    public State emptyState() {
        return new Unregistered();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        CommandHandlerWithReplyBuilderByState<Command, Event, Unregistered, State> unregistered =
                newCommandHandlerWithReplyBuilder().forStateType(Unregistered.class);
        unregistered
                .onCommand(Register.class, this::onRegister)
                .onCommand(ChangeProfile.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(SetHomeRegion.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(Login.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(CheckpointPosition.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(ChangeRegion.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(Logout.class, (s, c) -> notRegistered(c.replyTo()))
                .onCommand(Get.class, (s, c) -> notRegistered(c.replyTo()));

        CommandHandlerWithReplyBuilderByState<Command, Event, Registered, State> registered =
                newCommandHandlerWithReplyBuilder().forStateType(Registered.class);
        registered
                .onCommand(Register.class, (s, c) -> reject(c.replyTo(), AvatarRejection.ALREADY_REGISTERED, id))
                .onCommand(ChangeProfile.class, this::onChangeProfile)
                .onCommand(SetHomeRegion.class, this::onSetHomeRegion)
                .onCommand(Login.class, this::onLogin)
                .onCommand(CheckpointPosition.class, this::onCheckpoint)
                .onCommand(ChangeRegion.class, this::onChangeRegion)
                .onCommand(Logout.class, this::onLogout)
                .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(summary(s))));

        return unregistered.orElse(registered).build();
    }

    private ReplyEffect<Event, State> onRegister(Unregistered state, Register c) {
        if (!isValidId(id)) {
            return reject(c.replyTo(), AvatarRejection.INVALID_ID, "'" + id + "' must be 1-64 of A-Z a-z 0-9 _ -");
        }
        String problem = displayNameProblem(c.displayName());
        if (problem != null) {
            return reject(c.replyTo(), AvatarRejection.INVALID_DISPLAY_NAME, problem);
        }
        if (!isValidPublicKey(c.publicKey())) {
            return reject(
                    c.replyTo(),
                    AvatarRejection.INVALID_PUBLIC_KEY,
                    "must be the base64 of a " + PUBLIC_KEY_BYTES + "-byte Ed25519 public key");
        }
        if (!isValidRegion(c.homeRegion())) {
            return rejectRegion(c.replyTo(), c.homeRegion());
        }
        return Effect()
                .persist(new AvatarRegistered(c.displayName().strip(), c.publicKey(), c.homeRegion(), clock.instant()))
                .thenReply(c.replyTo(), s -> StatusReply.success(summary((Registered) s)));
    }

    private ReplyEffect<Event, State> onChangeProfile(Registered state, ChangeProfile c) {
        String problem = displayNameProblem(c.displayName());
        if (problem != null) {
            return reject(c.replyTo(), AvatarRejection.INVALID_DISPLAY_NAME, problem);
        }
        return persistAndReply(new ProfileChanged(c.displayName().strip(), clock.instant()), c.replyTo());
    }

    private ReplyEffect<Event, State> onSetHomeRegion(Registered state, SetHomeRegion c) {
        if (!isValidRegion(c.region())) {
            return rejectRegion(c.replyTo(), c.region());
        }
        return persistAndReply(new HomeRegionChanged(c.region(), clock.instant()), c.replyTo());
    }

    private ReplyEffect<Event, State> onLogin(Registered state, Login c) {
        if (!isValidRegion(c.region())) {
            return rejectRegion(c.replyTo(), c.region());
        }
        if (state.online()) {
            return reject(c.replyTo(), AvatarRejection.ALREADY_ONLINE, "already online in " + state.onlineRegion());
        }
        return persistAndReply(new LoggedIn(c.region(), clock.instant()), c.replyTo());
    }

    private ReplyEffect<Event, State> onCheckpoint(Registered state, CheckpointPosition c) {
        ReplyEffect<Event, State> refused = requireOnlineAt(state, c.position(), c.replyTo(), true);
        if (refused != null) {
            return refused;
        }
        Instant now = clock.instant();
        if (state.lastPositionAt() != null
                && Duration.between(state.lastPositionAt(), now).compareTo(settings.positionCheckpointInterval()) < 0) {
            // Too soon since the last persisted position: answered, not persisted (never per tick).
            return Effect().reply(c.replyTo(), StatusReply.success(summary(state)));
        }
        return persistAndReply(new PositionCheckpointed(c.position(), now), c.replyTo());
    }

    private ReplyEffect<Event, State> onChangeRegion(Registered state, ChangeRegion c) {
        ReplyEffect<Event, State> refused = requireOnlineAt(state, c.position(), c.replyTo(), false);
        if (refused != null) {
            return refused;
        }
        return persistAndReply(new RegionChanged(state.onlineRegion(), c.position(), clock.instant()), c.replyTo());
    }

    private ReplyEffect<Event, State> onLogout(Registered state, Logout c) {
        ReplyEffect<Event, State> refused = requireOnlineAt(state, c.position(), c.replyTo(), true);
        if (refused != null) {
            return refused;
        }
        return persistAndReply(new LoggedOut(c.position(), clock.instant()), c.replyTo());
    }

    /**
     * Null if the avatar is online and {@code position} is valid (and, when {@code sameRegion}, in the region
     * the avatar is online in); otherwise the rejection to return.
     */
    private ReplyEffect<Event, State> requireOnlineAt(
            Registered state, Position position, ActorRef<StatusReply<Summary>> replyTo, boolean sameRegion) {
        if (!state.online()) {
            return reject(replyTo, AvatarRejection.NOT_ONLINE, id + " is offline");
        }
        String problem = positionProblem(position);
        if (problem != null) {
            return reject(replyTo, AvatarRejection.INVALID_POSITION, problem);
        }
        if (sameRegion && !position.region().equals(state.onlineRegion())) {
            return reject(
                    replyTo,
                    AvatarRejection.WRONG_REGION,
                    "position is in " + position.region() + " but the avatar is online in " + state.onlineRegion());
        }
        if (!sameRegion && position.region().equals(state.onlineRegion())) {
            return reject(
                    replyTo, AvatarRejection.WRONG_REGION, "already in " + state.onlineRegion() + ", not a change");
        }
        return null;
    }

    private ReplyEffect<Event, State> persistAndReply(Event event, ActorRef<StatusReply<Summary>> replyTo) {
        return Effect().persist(event).thenReply(replyTo, s -> StatusReply.success(summary((Registered) s)));
    }

    private ReplyEffect<Event, State> notRegistered(ActorRef<StatusReply<Summary>> replyTo) {
        return reject(replyTo, AvatarRejection.NOT_REGISTERED, "no avatar " + id);
    }

    private ReplyEffect<Event, State> rejectRegion(ActorRef<StatusReply<Summary>> replyTo, String region) {
        return reject(replyTo, AvatarRejection.INVALID_REGION, "'" + region + "' must match " + REGION.pattern());
    }

    private ReplyEffect<Event, State> reject(
            ActorRef<StatusReply<Summary>> replyTo, AvatarRejection rejection, String details) {
        return Effect().reply(replyTo, StatusReply.error(rejection.message(details)));
    }

    private Summary summary(Registered s) {
        return new Summary(
                id,
                s.displayName(),
                s.publicKey(),
                s.homeRegion(),
                s.registeredAt(),
                s.online(),
                s.onlineRegion(),
                s.lastPosition(),
                s.lastPositionAt());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        EventHandlerBuilder<State, Event> builder = newEventHandlerBuilder();
        builder.forStateType(Unregistered.class)
                .onEvent(
                        AvatarRegistered.class,
                        (s, e) -> new Registered(
                                e.displayName(), e.publicKey(), e.homeRegion(), e.at(), null, null, null));
        builder.forStateType(Registered.class)
                .onEvent(ProfileChanged.class, (s, e) -> s.withDisplayName(e.displayName()))
                .onEvent(HomeRegionChanged.class, (s, e) -> s.withHomeRegion(e.region()))
                .onEvent(LoggedIn.class, (s, e) -> s.withOnlineRegion(e.region()))
                .onEvent(PositionCheckpointed.class, (s, e) -> s.withPosition(s.onlineRegion(), e.position(), e.at()))
                .onEvent(
                        RegionChanged.class,
                        (s, e) -> s.withPosition(e.position().region(), e.position(), e.at()))
                .onEvent(LoggedOut.class, (s, e) -> s.withPosition(null, e.position(), e.at()));
        return builder.build();
    }

    // ---- validation ----

    static boolean isValidRegion(String region) {
        return region != null && REGION.matcher(region).matches();
    }

    static boolean isValidPublicKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.getBytes(StandardCharsets.US_ASCII)).length == PUBLIC_KEY_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Null if acceptable, else why not. */
    static String displayNameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "must not be blank";
        }
        String stripped = name.strip();
        if (stripped.codePointCount(0, stripped.length()) > MAX_DISPLAY_NAME) {
            return "must be at most " + MAX_DISPLAY_NAME + " characters";
        }
        if (stripped.codePoints()
                .anyMatch(cp -> Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT)) {
            return "must not contain control or formatting characters";
        }
        return null;
    }

    static String positionProblem(Position p) {
        if (p == null) {
            return "missing";
        }
        if (!isValidRegion(p.region())) {
            return "region '" + p.region() + "' must match " + REGION.pattern();
        }
        if (!Double.isFinite(p.x()) || !Double.isFinite(p.y()) || !Double.isFinite(p.z())) {
            return "coordinates must be finite numbers";
        }
        return null;
    }
}

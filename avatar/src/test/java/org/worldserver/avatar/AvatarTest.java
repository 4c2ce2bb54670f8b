package org.worldserver.avatar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.worldserver.avatar.Avatar.Command;
import org.worldserver.avatar.Avatar.Event;
import org.worldserver.avatar.Avatar.Position;
import org.worldserver.avatar.Avatar.State;
import org.worldserver.avatar.Avatar.Summary;
import org.worldserver.persistence.testkit.MutableClock;

/** Avatar entity logic on the in-memory journal; the testkit also round-trips every command, event and state. */
class AvatarTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "avatar-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final Duration CHECKPOINT = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private EventSourcedBehaviorTestKit<Command, Event, State> avatar;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void create() {
        avatar = EventSourcedBehaviorTestKit.create(
                KIT.system(), Avatar.create("ava-1", new AvatarSettings(CHECKPOINT, 100), clock));
    }

    private CommandResultWithReply<Command, Event, State, StatusReply<Summary>> run(
            Function<ActorRef<StatusReply<Summary>>, Command> command) {
        return avatar.runCommand(command::apply);
    }

    private CommandResultWithReply<Command, Event, State, StatusReply<Summary>> register() {
        return run(r -> new Avatar.Register("Ada", KEY, "harbour", r));
    }

    private static String errorOf(CommandResultWithReply<Command, Event, State, StatusReply<Summary>> result) {
        assertTrue(result.reply().isError(), "expected an error reply, got " + result.reply());
        assertTrue(result.hasNoEvents(), "a refused command must persist nothing");
        return result.reply().getError().getMessage();
    }

    @Test
    void shouldRegisterAndDescribeTheAvatar() {
        var result = register();

        Summary s = result.reply().getValue();
        assertEquals("ava-1", s.id());
        assertEquals("Ada", s.displayName());
        assertEquals("harbour", s.homeRegion());
        assertFalse(s.online());
        assertNull(s.lastPosition());
        assertEquals(new Avatar.AvatarRegistered("Ada", KEY, "harbour", clock.instant()), result.event());
    }

    @Test
    void shouldRefuseEveryCommandBeforeRegistration() {
        Position p = new Position("harbour", 1, 2, 3);
        List<Function<ActorRef<StatusReply<Summary>>, Command>> all = List.of(
                Avatar.Get::new,
                r -> new Avatar.Login("harbour", r),
                r -> new Avatar.Logout(p, r),
                r -> new Avatar.CheckpointPosition(p, r),
                r -> new Avatar.ChangeRegion(p, r),
                r -> new Avatar.ChangeProfile("x", r),
                r -> new Avatar.SetHomeRegion("harbour", r));
        for (var command : all) {
            var result = run(command);
            assertTrue(
                    errorOf(result).startsWith("avatar-not-registered: "),
                    result.reply().toString());
        }
    }

    @Test
    void shouldRejectMalformedRegistrationsAndADuplicate() {
        assertTrue(errorOf(run(r -> new Avatar.Register(" ", KEY, "harbour", r)))
                .startsWith("avatar-invalid-display-name"));
        assertTrue(errorOf(run(r -> new Avatar.Register("x".repeat(33), KEY, "harbour", r)))
                .startsWith("avatar-invalid-display-name"));
        assertTrue(errorOf(run(r -> new Avatar.Register("bell\u0007", KEY, "harbour", r)))
                .startsWith("avatar-invalid-display-name"));
        assertTrue(errorOf(run(r -> new Avatar.Register("Ada", "not base64!", "harbour", r)))
                .startsWith("avatar-invalid-public-key"));
        String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
        assertTrue(errorOf(run(r -> new Avatar.Register("Ada", shortKey, "harbour", r)))
                .startsWith("avatar-invalid-public-key"));
        assertTrue(errorOf(run(r -> new Avatar.Register("Ada", KEY, "Harbour!", r)))
                .startsWith("avatar-invalid-region"));

        register();
        assertTrue(errorOf(register()).startsWith("avatar-already-registered"));
    }

    @Test
    void shouldRefuseToRegisterAMalformedId() {
        var bad = EventSourcedBehaviorTestKit.<Command, Event, State>create(
                KIT.system(), Avatar.create("no spaces", new AvatarSettings(CHECKPOINT, 100), clock));
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> result =
                bad.runCommand(r -> new Avatar.Register("Ada", KEY, "harbour", r));
        assertTrue(result.reply().getError().getMessage().startsWith("avatar-invalid-id"));
        assertTrue(result.hasNoEvents());
    }

    @Test
    void shouldTrackPresenceAndPersistThePositionAtLogout() {
        register();
        var login = run(r -> new Avatar.Login("harbour", r));
        assertTrue(login.reply().getValue().online());
        assertEquals("harbour", login.reply().getValue().onlineRegion());
        assertTrue(errorOf(run(r -> new Avatar.Login("harbour", r))).startsWith("avatar-already-online"));

        clock.advance(Duration.ofMinutes(5));
        Position exit = new Position("harbour", 10.5, 0, -4);
        var logout = run(r -> new Avatar.Logout(exit, r));

        assertEquals(new Avatar.LoggedOut(exit, clock.instant()), logout.event());
        assertFalse(logout.reply().getValue().online());
        assertEquals(exit, logout.reply().getValue().lastPosition());
        assertTrue(errorOf(run(r -> new Avatar.Logout(exit, r))).startsWith("avatar-not-online"));
    }

    @Test
    void shouldPersistCheckpointsAtMostOncePerInterval() {
        register();
        run(r -> new Avatar.Login("harbour", r));

        Position first = new Position("harbour", 1, 0, 1);
        assertEquals(
                1, run(r -> new Avatar.CheckpointPosition(first, r)).events().size());

        // At 20 Hz until just before the interval ends (28.95 s): every one answered, none persisted.
        for (int tick = 1; tick < 29 * 20; tick++) {
            clock.advance(Duration.ofMillis(50));
            Position p = new Position("harbour", 1 + tick * 0.01, 0, 1);
            var result = run(r -> new Avatar.CheckpointPosition(p, r));
            assertTrue(result.reply().isSuccess());
            assertTrue(result.hasNoEvents(), "checkpoint persisted after only " + tick * 50 + " ms");
            assertEquals(first, result.reply().getValue().lastPosition());
        }
        clock.advance(Duration.ofMillis(1050)); // now exactly 30 s after the first checkpoint
        Position later = new Position("harbour", 9, 0, 9);
        var result = run(r -> new Avatar.CheckpointPosition(later, r));
        assertEquals(new Avatar.PositionCheckpointed(later, clock.instant()), result.event());
        assertEquals(later, result.reply().getValue().lastPosition());
    }

    @Test
    void shouldRejectInvalidPositionsAndPositionsInTheWrongRegion() {
        register();
        run(r -> new Avatar.Login("harbour", r));

        assertTrue(errorOf(run(r -> new Avatar.CheckpointPosition(new Position("harbour", Double.NaN, 0, 0), r)))
                .startsWith("avatar-invalid-position"));
        assertTrue(errorOf(run(
                        r -> new Avatar.CheckpointPosition(new Position("harbour", 0, Double.POSITIVE_INFINITY, 0), r)))
                .startsWith("avatar-invalid-position"));
        assertTrue(errorOf(run(r -> new Avatar.Logout(new Position("market", 0, 0, 0), r)))
                .startsWith("avatar-wrong-region"));
        assertTrue(errorOf(run(r -> new Avatar.ChangeRegion(new Position("harbour", 0, 0, 0), r)))
                .startsWith("avatar-wrong-region"));
    }

    @Test
    void shouldPersistARegionChangeAndRecoverEverythingAfterARestart() {
        register();
        run(r -> new Avatar.ChangeProfile("Ada L.", r));
        run(r -> new Avatar.SetHomeRegion("market", r));
        run(r -> new Avatar.Login("harbour", r));
        Position arrival = new Position("market", -3, 0, 7.25);
        var moved = run(r -> new Avatar.ChangeRegion(arrival, r));
        assertEquals(new Avatar.RegionChanged("harbour", arrival, clock.instant()), moved.event());
        assertEquals("market", moved.reply().getValue().onlineRegion());

        State before = avatar.getState();
        avatar.restart();
        assertEquals(before, avatar.getState());
        var summary = run(Avatar.Get::new).reply().getValue();
        assertEquals("Ada L.", summary.displayName());
        assertEquals("market", summary.homeRegion());
        assertEquals(arrival, summary.lastPosition());
    }
}

package org.worldserver.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.asset.AssetUsage.Command;
import org.worldserver.asset.AssetUsage.Event;
import org.worldserver.asset.AssetUsage.State;
import org.worldserver.asset.AssetUsage.Summary;

/**
 * Placements and uses of a model counted once each, only where it is placed; removals by the placer or the holder;
 * refusals change nothing; the counts survive a restart (the kit also checks every command, event and state
 * serializes).
 */
class AssetUsageTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "usage-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    private final EventSourcedBehaviorTestKit<Command, Event, State> usage =
            EventSourcedBehaviorTestKit.create(KIT.system(), AssetUsage.create("chair", Clock.systemUTC()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private Summary done(Function<ActorRef<StatusReply<Summary>>, Command> c) {
        StatusReply<Summary> reply =
                usage.<StatusReply<Summary>>runCommand(c::apply).reply();
        assertTrue(reply.isSuccess(), () -> reply.getError().getMessage());
        return reply.getValue();
    }

    private void refused(String code, Function<ActorRef<StatusReply<Summary>>, Command> c) {
        CommandResultWithReply<Command, Event, State, StatusReply<Summary>> result = usage.runCommand(c::apply);
        assertTrue(result.reply().isError(), "accepted, expected " + code);
        assertTrue(
                result.reply().getError().getMessage().startsWith(code + ": "),
                result.reply().getError().getMessage());
        assertTrue(result.hasNoEvents());
    }

    private Summary place(String placement, String region, String by) {
        return done(r -> new AssetUsage.Place(placement, region, 1, 0, 2, by, r));
    }

    @Test
    void shouldCountEachPlacementOnceAndRemoveOnlyByThePlacerOrTheHolder() {
        place("p1", "plaza", "ada");
        Summary again = place("p1", "plaza", "ada");
        assertEquals(1, again.placed(), "a repeat is answered as it is");
        refused("placement-exists", r -> new AssetUsage.Place("p1", "plaza", 5, 0, 2, "ada", r));
        place("p2", "harbour", "bob");
        refused("asset-not-owner", r -> new AssetUsage.Remove("p2", "eve", "ada", r));
        refused("placement-unknown", r -> new AssetUsage.Remove("p9", "ada", "ada", r));
        Summary removed = done(r -> new AssetUsage.Remove("p2", "ada", "ada", r)); // the holder
        assertEquals(1, removed.livePlacements());
        assertEquals(1, removed.removed());
        assertEquals(removed, done(r -> new AssetUsage.Remove("p2", "ada", "ada", r)), "a repeat changes nothing");
        refused("placement-exists", r -> new AssetUsage.Place("p2", "harbour", 1, 0, 2, "bob", r));
        done(r -> new AssetUsage.Remove("p1", "ada", "bob", r)); // the placer
        Summary none = done(AssetUsage.Get::new);
        assertEquals(0, none.livePlacements());
        assertEquals(2, none.placed());
        assertEquals(2, none.removed());

        refused("usage-invalid", r -> new AssetUsage.Place("p:3", "plaza", 1, 0, 2, "ada", r));
        refused("usage-invalid", r -> new AssetUsage.Place("p3", "plaza", Float.NaN, 0, 2, "ada", r));
        refused("usage-invalid", r -> new AssetUsage.Place("p3", "", 1, 0, 2, "ada", r));
    }

    @Test
    void shouldCountUsesOnlyWherePlacedOncePerUseAndKeepThemOverARestart() {
        refused("asset-not-placed", r -> new AssetUsage.Use("u1", "plaza", "bob", r));
        place("p1", "plaza", "ada");
        done(r -> new AssetUsage.Use("u1", "plaza", "bob", r));
        done(r -> new AssetUsage.Use("u1", "plaza", "bob", r)); // a repeat
        done(r -> new AssetUsage.Use("u2", "plaza", "cy", r));
        refused("asset-not-placed", r -> new AssetUsage.Use("u3", "harbour", "bob", r));
        refused("usage-invalid", r -> new AssetUsage.Use("u:4", "plaza", "bob", r));
        place("p2", "harbour", "ada");
        Summary used = done(r -> new AssetUsage.Use("u3", "harbour", "bob", r));
        assertEquals(3, used.uses());
        assertEquals(Map.of("harbour", 1L, "plaza", 2L), used.usesByRegion());
        assertTrue(used.lastUsedAt() != null);

        usage.restart();
        Summary recovered = done(AssetUsage.Get::new);
        assertEquals(used, recovered);
        done(r -> new AssetUsage.Use("u2", "plaza", "cy", r)); // still remembered after the restart
        assertEquals(3, done(AssetUsage.Get::new).uses());
    }

    @Test
    void shouldRememberOnlyTheLatestUseIdsAndCapLivePlacements() {
        place("p0", "plaza", "ada");
        for (int u = 0; u <= AssetUsage.REMEMBERED; u++) {
            int n = u;
            done(r -> new AssetUsage.Use("u" + n, "plaza", "bob", r));
        }
        done(r -> new AssetUsage.Use("u" + AssetUsage.REMEMBERED, "plaza", "bob", r)); // the latest: a repeat
        assertEquals(AssetUsage.REMEMBERED + 1, done(AssetUsage.Get::new).uses());
        done(r -> new AssetUsage.Use("u0", "plaza", "bob", r)); // forgotten: counted again, as documented
        assertEquals(AssetUsage.REMEMBERED + 2, done(AssetUsage.Get::new).uses());

        for (int p = 1; p < AssetUsage.MAX_LIVE; p++) {
            place("p" + p, "plaza", "ada");
        }
        refused("placements-full", r -> new AssetUsage.Place("one-more", "plaza", 1, 0, 2, "ada", r));
        Summary full = done(AssetUsage.Get::new);
        assertEquals(AssetUsage.MAX_LIVE, full.livePlacements());
        assertEquals(AssetUsage.LISTED, full.placements().size());
        assertEquals("p0", full.placements().get(0).id(), "oldest first");

        usage.restart(); // over 2,000 events: recovered from a snapshot (every 500) and the events after it
        assertEquals(full, done(AssetUsage.Get::new), "the same usage, placements in the same order");
        done(r -> new AssetUsage.Use("u" + AssetUsage.REMEMBERED, "plaza", "bob", r));
        assertEquals(full.uses(), done(AssetUsage.Get::new).uses(), "the remembered use ids survive recovery");
    }
}

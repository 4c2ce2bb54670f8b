package org.worldserver.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.worldserver.asset.AssetSpec.Edition;
import org.worldserver.asset.AssetSpec.Parcel;
import org.worldserver.asset.Claims.Claim;
import org.worldserver.asset.Claims.Command;
import org.worldserver.asset.Claims.Event;
import org.worldserver.asset.Claims.State;

/** Land never claimed twice, editions never beyond their supply; claims idempotent per asset; refusals change nothing. */
class ClaimsTest {

    private static final ActorTestKit KIT = ActorTestKit.create(
            "claims-test", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static void staked(EventSourcedBehaviorTestKit<Command, Event, State> kit, String asset, Claim claim) {
        StatusReply<Claim> reply = kit.<StatusReply<Claim>>runCommand(r -> new Claims.Stake(asset, claim, r))
                .reply();
        assertTrue(reply.isSuccess(), () -> reply.getError().getMessage());
    }

    private static void refused(
            EventSourcedBehaviorTestKit<Command, Event, State> kit, String code, String asset, Claim claim) {
        CommandResultWithReply<Command, Event, State, StatusReply<Claim>> result =
                kit.runCommand(r -> new Claims.Stake(asset, claim, r));
        assertTrue(result.reply().isError(), "accepted, expected " + code);
        assertTrue(
                result.reply().getError().getMessage().startsWith(code + ": "),
                result.reply().getError().getMessage());
        assertTrue(result.hasNoEvents());
    }

    @Test
    void shouldNeverLetTwoParcelsOverlap() {
        var land = EventSourcedBehaviorTestKit.<Command, Event, State>create(
                KIT.system(), Claims.create("land:lobby", Clock.systemUTC()));
        staked(land, "p1", Claim.of(new Parcel("lobby", 0, 0, 9, 9)));
        staked(land, "p1", Claim.of(new Parcel("lobby", 0, 0, 9, 9))); // a repeat
        assertEquals(1, land.getState().claims().size());
        refused(land, "parcel-overlap", "p2", Claim.of(new Parcel("lobby", 9, 9, 12, 12))); // one shared corner cell
        refused(land, "parcel-overlap", "p2", Claim.of(new Parcel("lobby", -5, 3, 0, 4)));
        refused(land, "asset-exists", "p1", Claim.of(new Parcel("lobby", 20, 20, 21, 21)));
        staked(land, "p2", Claim.of(new Parcel("lobby", 10, 0, 12, 9))); // right next to it
        staked(land, "p3", Claim.of(new Parcel("lobby", 0, 10, 9, 10)));
        land.restart();
        refused(land, "parcel-overlap", "p4", Claim.of(new Parcel("lobby", 5, 5, 5, 5)));
    }

    @Test
    void shouldKeepEditionsUniqueAndWithinTheirSupply() {
        var series = EventSourcedBehaviorTestKit.<Command, Event, State>create(
                KIT.system(), Claims.create("series:comets", Clock.systemUTC()));
        staked(series, "c1", Claim.of(new Edition("comets", 1, 3)));
        refused(series, "edition-taken", "c1b", Claim.of(new Edition("comets", 1, 3)));
        refused(series, "edition-supply-mismatch", "c2", Claim.of(new Edition("comets", 2, 4)));
        refused(series, "edition-over-supply", "c4", Claim.of(new Edition("comets", 4, 3)));
        staked(series, "c2", Claim.of(new Edition("comets", 2, 3)));
        staked(series, "c3", Claim.of(new Edition("comets", 3, 3)));
        refused(series, "edition-over-supply", "c5", Claim.of(new Edition("comets", 5, 3)));
        assertEquals(3, series.getState().claims().size(), "three of three, no more");
    }
}

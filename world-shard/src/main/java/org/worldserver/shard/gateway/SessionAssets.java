package org.worldserver.shard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.asset.Asset;
import org.worldserver.asset.AssetUsage;
import org.worldserver.asset.Assets;
import org.worldserver.asset.Trade;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.AssetRequests.AssetRequest;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.shard.ops.Refusal;
import org.worldserver.shard.region.AssetPlacements;
import org.worldserver.shard.region.WorldRegions;

/**
 * A session's asset requests ({@link AssetRequests}) done as its avatar: the identity the session's connect token
 * proved is the owner, seller, buyer and user, so a client can act for no one else. The same entities and stable
 * codes as the operator API; a refusal's status follows its code ({@link Refusal}). Placements and uses are in the
 * avatar's current region. Thread-safe; never blocks.
 */
final class SessionAssets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Assets assets;
    private final WorldRegions regions;
    /** The region an avatar is in now, or null when it is not placed in the world. */
    private final Function<String, String> regionOf;

    SessionAssets(ActorSystem<?> system, WorldRegions regions, Function<String, String> regionOf) {
        this.assets = Assets.get(system);
        this.regions = regions;
        this.regionOf = regionOf;
    }

    /** Does {@code r} as {@code avatar}; {@code useId} identifies this request (a use counts once by it). */
    CompletionStage<GatewayAgent.Reply> execute(String avatar, String useId, AssetRequest r) {
        return switch (r.kind()) {
            case AssetRequests.GET -> answer(assets.asset(r.asset(), Asset.Get::new), SessionAssets::asset);
            case AssetRequests.TRANSFER ->
                answer(assets.asset(r.asset(), to -> new Asset.Transfer(r.other(), avatar, to)), SessionAssets::asset);
            case AssetRequests.LIST ->
                answer(
                        assets.asset(r.asset(), to -> new Asset.ListForSale(r.price(), avatar, to)),
                        SessionAssets::asset);
            case AssetRequests.DELIST ->
                answer(assets.asset(r.asset(), to -> new Asset.Delist(avatar, to)), SessionAssets::asset);
            case AssetRequests.BUY ->
                answer(
                        assets.trade(r.other(), to -> new Trade.Buy(r.asset(), avatar, r.price(), to))
                                .thenApply(t -> t.isSuccess() && t.getValue().phase() == Trade.Phase.VOIDED
                                        ? StatusReply.error(t.getValue().reason())
                                        : t),
                        SessionAssets::trade);
            case AssetRequests.PLACE -> place(avatar, r);
            case AssetRequests.UNPLACE ->
                answer(assets.removePlacement(r.asset(), r.other(), avatar), SessionAssets::usage);
            case AssetRequests.USE -> {
                String region = regionOf.apply(avatar);
                yield region == null
                        ? notPlaced(avatar)
                        : answer(assets.use(r.asset(), useId, region, avatar), SessionAssets::usage);
            }
            case AssetRequests.USAGE -> answer(assets.usage(r.asset(), avatar), SessionAssets::usage);
            default -> throw new IllegalArgumentException("not an asset request: " + r.kind());
        };
    }

    /** A placement at a point of the avatar's region. */
    private CompletionStage<GatewayAgent.Reply> place(String avatar, AssetRequest r) {
        String region = regionOf.apply(avatar);
        if (region == null) {
            return notPlaced(avatar);
        }
        float[] p = r.point();
        return answer(
                AssetPlacements.place(regions, assets, r.asset(), r.other(), region, p[0], p[1], p[2], avatar),
                SessionAssets::usage);
    }

    private static CompletionStage<GatewayAgent.Reply> notPlaced(String avatar) {
        return CompletableFuture.completedFuture(new GatewayAgent.Reply(
                ResponseStatus.CONFLICT, "region-unknown-avatar: " + avatar + " is not placed in the world"));
    }

    /** An entity's answer as a Response: OK with the result as JSON, or the refusal with its code's status. */
    private static <T> CompletionStage<GatewayAgent.Reply> answer(
            CompletionStage<StatusReply<T>> reply, Function<T, ObjectNode> result) {
        return reply.thenApply(r -> {
            if (r.isSuccess()) {
                return new GatewayAgent.Reply(
                        ResponseStatus.OK, result.apply(r.getValue()).toString());
            }
            String message = r.getError().getMessage();
            return new GatewayAgent.Reply(statusOf(Refusal.of(Refusal.codeOf(message))), message);
        });
    }

    static ResponseStatus statusOf(Refusal refusal) {
        return switch (refusal) {
            case NOT_FOUND -> ResponseStatus.NOT_FOUND;
            case FORBIDDEN -> ResponseStatus.UNAUTHORIZED;
            case INVALID -> ResponseStatus.BAD_REQUEST;
            case BUSY -> ResponseStatus.UNAVAILABLE;
            case CONFLICT -> ResponseStatus.CONFLICT;
        };
    }

    private static ObjectNode asset(Asset.Summary a) {
        ObjectNode o = JSON.createObjectNode()
                .put("id", a.id())
                .put("kind", a.spec().kind().name())
                .put("name", a.spec().name())
                .put("owner", a.owner())
                .put("status", a.status().name())
                .put("price", a.price());
        if (a.lentTo() != null) {
            o.put("lentTo", a.lentTo());
        }
        return o;
    }

    private static ObjectNode trade(Trade.Summary t) {
        return JSON.createObjectNode()
                .put("trade", t.id())
                .put("asset", t.asset())
                .put("seller", t.seller())
                .put("price", t.price())
                .put("fee", t.fee())
                .put("feeWaived", t.reason() != null)
                .put("phase", t.phase().name());
    }

    private static ObjectNode usage(AssetUsage.Summary u) {
        return JSON.createObjectNode()
                .put("asset", u.asset())
                .put("livePlacements", u.livePlacements())
                .put("placed", u.placed())
                .put("removed", u.removed())
                .put("uses", u.uses())
                .put(
                        "lastUsedAt",
                        u.lastUsedAt() == null ? null : u.lastUsedAt().toString());
    }
}

package org.worldserver.shard.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.asset.Asset;
import org.worldserver.asset.AssetRejection;
import org.worldserver.asset.AssetUsage;
import org.worldserver.asset.Assets;
import org.worldserver.asset.Trade;
import org.worldserver.asset.TradeRejection;
import org.worldserver.persistence.ClientIds;
import org.worldserver.protocol.AssetRequests;
import org.worldserver.protocol.AssetRequests.AssetRequest;
import org.worldserver.protocol.sbe.ResponseStatus;
import org.worldserver.shard.ops.Refusal;
import org.worldserver.shard.region.AssetPlacements;
import org.worldserver.shard.region.WorldRegions;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.TimeBank;

/**
 * A session's asset requests ({@link AssetRequests}) done as its avatar: the identity the session's connect token
 * proved is the owner, seller, buyer and user, so a client can act for no one else. A purchase is paid from the
 * avatar's own account only: the account with its id, of kind AVATAR and owned by it ({@code account-not-owner}
 * otherwise: a client can never spend the treasury or another account that happens to share its name). Ids and
 * prices are checked before any entity is asked. The same entities and stable codes as the operator API; a refusal's
 * status follows its code ({@link Refusal}). Placements and uses are in the avatar's current region. Thread-safe;
 * never blocks.
 */
final class SessionAssets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Assets assets;
    private final TimeBank bank;
    private final WorldRegions regions;
    /** The region an avatar is in now, or null when it is not placed in the world. */
    private final Function<String, String> regionOf;

    SessionAssets(ActorSystem<?> system, WorldRegions regions, Function<String, String> regionOf) {
        this.assets = Assets.get(system);
        this.bank = TimeBank.get(system);
        this.regions = regions;
        this.regionOf = regionOf;
    }

    /** Does {@code r} as {@code avatar}; {@code useId} identifies this request (a use counts once by it). */
    CompletionStage<GatewayAgent.Reply> execute(String avatar, String useId, AssetRequest r) {
        String invalid = invalid(r);
        if (invalid != null) {
            return CompletableFuture.completedFuture(new GatewayAgent.Reply(ResponseStatus.BAD_REQUEST, invalid));
        }
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
                        ownAccount(avatar)
                                .thenCompose(refused -> refused != null
                                        ? CompletableFuture.completedFuture(StatusReply.<Trade.Summary>error(refused))
                                        : assets.buy(r.other(), r.asset(), avatar, r.price())),
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

    /** What is wrong with a request's ids or price (as the operator API would refuse it), or null. */
    private static String invalid(AssetRequest r) {
        if (!ClientIds.valid(r.asset())) {
            return AssetRejection.INVALID.message("an asset id of 1-128 characters without ':'");
        }
        return switch (r.kind()) {
            case AssetRequests.TRANSFER ->
                ClientIds.valid(r.other()) ? null : AssetRejection.INVALID.message("a recipient id without ':'");
            case AssetRequests.LIST ->
                r.price() > 0 ? null : AssetRejection.PRICE_INVALID.message("the price must be positive");
            case AssetRequests.BUY ->
                ClientIds.valid(r.other()) && r.price() > 0
                        ? null
                        : TradeRejection.INVALID.message("a trade id without ':' and a positive price");
            case AssetRequests.PLACE, AssetRequests.UNPLACE ->
                ClientIds.valid(r.other()) ? null : AssetRejection.USAGE_INVALID.message("a placement id without ':'");
            default -> null;
        };
    }

    /** Null when {@code avatar}'s account is its own (kind AVATAR, owned by it), else why a purchase is refused. */
    private CompletionStage<String> ownAccount(String avatar) {
        return bank.account(avatar, Account.Get::new).thenApply(account -> {
            if (account.isError()) {
                return account.getError().getMessage(); // account-not-open: nothing to pay with
            }
            Account.Summary a = account.getValue();
            return a.kind() == Account.Kind.AVATAR && avatar.equals(a.owner())
                    ? null
                    : "account-not-owner: account " + avatar + " is not avatar " + avatar + "'s";
        });
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

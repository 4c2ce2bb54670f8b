package org.worldserver.asset;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.persistence.ClientIds;
import org.worldserver.persistence.RememberedEntities;
import org.worldserver.timebank.TimeBank;

/**
 * The assets of a node: registers the Asset, Claims and Trade entity types with Cluster Sharding, and mints (claims
 * first, then the asset). Thread-safe; every method is asynchronous.
 */
public final class Assets implements Trade.Assets {

    /**
     * The {@code world.asset} section.
     *
     * @param tradeHold how long a buyer's hold lasts if a trade stalls before it pays
     * @param retry how long a trade waits for an unanswered step before asking again
     * @param askTimeout how long callers wait for an asset, a claim or a settled trade
     * @param feeBps the operator's fee on a trade, basis points of its price ({@link OperatorFee})
     */
    public record Settings(Duration tradeHold, Duration retry, Duration askTimeout, int feeBps) {
        public static Settings fromRootConfig(Config root) {
            Config c = root.getConfig("world.asset");
            return new Settings(
                    c.getDuration("trade-hold"),
                    c.getDuration("retry"),
                    c.getDuration("ask-timeout"),
                    c.getInt("fee-bps"));
        }
    }

    private final ClusterSharding sharding;
    private final Settings settings;
    private final ActorSystem<?> system;

    private Assets(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.settings = settings;
    }

    /**
     * The cluster's one metadata index (its proxy; idempotent). Not started when an {@code Assets} is made: the HTTP
     * routes make theirs before the node has its schema, and the projection must not read the journal before.
     */
    private ActorRef<AssetIndexProjection.Command> index() {
        ActorRef<AssetIndexProjection.Command> ref = index;
        if (ref == null) {
            ref = AssetIndexProjection.init(system);
            index = ref;
        }
        return ref;
    }

    /** The index's proxy once asked for (set at most a few times, to the same proxy: hence no lock). */
    private volatile ActorRef<AssetIndexProjection.Command> index;

    /** Registers the entity types on this node (every node does); the time bank must be initialised too. */
    public static Assets init(ActorSystem<?> system) {
        Assets assets = get(system);
        TimeBank bank = TimeBank.get(system);
        OperatorFee fee = new OperatorFee(bank.settings().treasuryAccount(), assets.settings.feeBps());
        assets.sharding.init(Entity.of(Asset.ENTITY_KEY, ctx -> Asset.create(ctx.getEntityId(), Clock.systemUTC())));
        assets.sharding.init(Entity.of(Claims.ENTITY_KEY, ctx -> Claims.create(ctx.getEntityId(), Clock.systemUTC())));
        assets.sharding.init(
                Entity.of(AssetUsage.ENTITY_KEY, ctx -> AssetUsage.create(ctx.getEntityId(), Clock.systemUTC())));
        // Trades are remembered, like transfers: after a crash every unfinished trade starts again and resumes.
        assets.sharding.init(Entity.of(
                        Trade.ENTITY_KEY,
                        ctx -> Trade.create(
                                ctx.getEntityId(),
                                bank,
                                assets,
                                Clock.systemUTC(),
                                assets.settings.retry(),
                                assets.settings.tradeHold(),
                                fee,
                                RememberedEntities.passivate(ctx)))
                .withSettings(RememberedEntities.settings(system)));
        assets.index(); // the node is past its schema step: the projection may start reading
        if (fee.bps() > 0) {
            assets.openTreasury(bank, fee.treasury(), 1);
        }
        return assets;
    }

    /**
     * Opens the treasury the fees are paid into, once per node start (a trade's fee to a treasury never opened is
     * waived): asked again every 2 s, up to 30 times, until the account answers either way.
     */
    private void openTreasury(TimeBank bank, String treasury, int attempt) {
        bank.openTreasury(treasury).whenComplete((opened, failure) -> {
            if (failure != null && attempt < 30) {
                system.scheduler()
                        .scheduleOnce(
                                Duration.ofSeconds(2),
                                () -> openTreasury(bank, treasury, attempt + 1),
                                system.executionContext());
            }
        });
    }

    /** The assets of {@code system}, to ask (the entity types are registered by {@link #init}). */
    public static Assets get(ActorSystem<?> system) {
        return new Assets(system, Settings.fromRootConfig(system.settings().config()));
    }

    @Override
    public CompletionStage<StatusReply<Asset.Summary>> asset(
            String id, Function<ActorRef<StatusReply<Asset.Summary>>, Asset.Command> command) {
        return sharding.entityRefFor(Asset.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    /**
     * Buys {@code asset} for {@code buyer} at {@code price} through trade {@code trade}: the trade once COMPLETED; a
     * voided one is answered as the refusal that voided it (its reason starts with the refusing entity's code).
     */
    public CompletionStage<StatusReply<Trade.Summary>> buy(String trade, String asset, String buyer, long price) {
        return trade(trade, r -> new Trade.Buy(asset, buyer, price, r))
                .thenApply(reply -> reply.isSuccess() && reply.getValue().phase() == Trade.Phase.VOIDED
                        ? StatusReply.error(reply.getValue().reason())
                        : reply);
    }

    /** Asks trade {@code id}; a Buy is answered once the trade has completed or been voided. */
    public CompletionStage<StatusReply<Trade.Summary>> trade(
            String id, Function<ActorRef<StatusReply<Trade.Summary>>, Trade.Command> command) {
        return sharding.entityRefFor(Trade.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    /** Searches the metadata index (it may trail the assets by a few seconds: see its status). */
    public CompletionStage<AssetIndexProjection.Results> search(AssetIndex.Query query) {
        return AskPattern.ask(
                index(), r -> new AssetIndexProjection.Search(query, r), settings.askTimeout(), system.scheduler());
    }

    /** Where the index stands: documents, events applied, lag. */
    public CompletionStage<AssetIndexProjection.Status> indexStatus() {
        return AskPattern.ask(index(), AssetIndexProjection.GetStatus::new, settings.askTimeout(), system.scheduler());
    }

    /** Drops the index's stored documents and offset and reads the whole journal again. */
    public CompletionStage<AssetIndexProjection.Status> rebuildIndex() {
        return AskPattern.ask(index(), AssetIndexProjection.Rebuild::new, settings.askTimeout(), system.scheduler());
    }

    /**
     * Mints asset {@code id}: a parcel first claims its land, a collectible its edition ({@link Claims}); then the
     * asset is minted. An id already minted is answered by its asset (the same terms: as the first time; others:
     * {@code asset-exists}) without claiming anything. Idempotent: a mint interrupted by a crash is finished by
     * repeating it. Claims are never given back (a burned parcel keeps its land); two different mints racing for one
     * new id may leave the loser's claim behind.
     */
    public CompletionStage<StatusReply<Asset.Summary>> mint(String id, AssetSpec spec, String owner) {
        String refusal = spec == null ? AssetRejection.INVALID.message("a spec is required") : spec.refusal();
        if (refusal == null && !ClientIds.valid(id)) {
            refusal = AssetRejection.INVALID.message("an asset id of 1-128 characters without ':'");
        }
        if (refusal == null && owner != null && !ClientIds.valid(owner)) { // checked before anything is claimed
            refusal = AssetRejection.INVALID.message("an owner id of 1-128 characters without ':'");
        }
        if (refusal != null) {
            return CompletableFuture.completedFuture(StatusReply.error(refusal));
        }
        String scope = spec.parcel() != null
                ? Claims.landOf(spec.parcel())
                : spec.edition() != null ? Claims.seriesOf(spec.edition()) : null;
        if (scope == null) {
            return asset(id, r -> new Asset.Mint(spec, owner, r));
        }
        Claims.Claim claim = spec.parcel() != null ? Claims.Claim.of(spec.parcel()) : Claims.Claim.of(spec.edition());
        return asset(id, Asset.Get::new)
                .thenCompose(existing -> existing.isSuccess()
                        ? asset(id, r -> new Asset.Mint(spec, owner, r))
                        : claims(scope, r -> new Claims.Stake(id, claim, r))
                                .thenCompose(staked -> staked.isError()
                                        ? CompletableFuture.completedFuture(StatusReply.error(staked.getError()))
                                        : asset(id, r -> new Asset.Mint(spec, owner, r))));
    }

    /**
     * Places model or twin {@code id} in the world: by its holder (its owner, or its borrower while lent), at a point
     * of {@code region} the caller checked exists. Refused for an unknown, burned or not placeable asset
     * ({@code asset-not-placeable}: only models and twins are placed) and for anyone else ({@code asset-not-owner}).
     */
    public CompletionStage<StatusReply<AssetUsage.Summary>> place(
            String id, String placement, String region, float x, float y, float z, String by) {
        return withAsset(usable(id), a -> {
            if (a.spec().kind() != AssetSpec.Kind.MODEL && a.spec().kind() != AssetSpec.Kind.TWIN) {
                return refused(
                        AssetRejection.NOT_PLACEABLE,
                        "only models and twins are placed, not a " + a.spec().kind());
            }
            if (!holder(a).equals(by)) {
                return refused(AssetRejection.NOT_OWNER, by + " does not hold asset " + id);
            }
            return usage(id, r -> new AssetUsage.Place(placement, region, x, y, z, by, r));
        });
    }

    /** Removes a placement: by whoever made it, or the asset's holder now. */
    public CompletionStage<StatusReply<AssetUsage.Summary>> removePlacement(String id, String placement, String by) {
        return withAsset(
                asset(id, Asset.Get::new), a -> usage(id, r -> new AssetUsage.Remove(placement, by, holder(a), r)));
    }

    /** Counts a use of asset {@code id} by {@code user} in {@code region}, where it must be placed; once per use id. */
    public CompletionStage<StatusReply<AssetUsage.Summary>> use(String id, String use, String region, String user) {
        return withAsset(usable(id), a -> usage(id, r -> new AssetUsage.Use(use, region, user, r)));
    }

    /** The usage of asset {@code id}, for its owner {@code by} only ({@code asset-not-owner} for anyone else). */
    public CompletionStage<StatusReply<AssetUsage.Summary>> usage(String id, String by) {
        return withAsset(
                asset(id, Asset.Get::new),
                a -> a.owner().equals(by)
                        ? usage(id, AssetUsage.Get::new)
                        : refused(AssetRejection.NOT_OWNER, "only the owner of asset " + id + " sees its usage"));
    }

    /** Goes on with the asset {@code asked} answered, or answers its refusal. */
    private static <T> CompletionStage<StatusReply<T>> withAsset(
            CompletionStage<StatusReply<Asset.Summary>> asked,
            Function<Asset.Summary, CompletionStage<StatusReply<T>>> then) {
        return asked.thenCompose(asset -> asset.isError()
                ? CompletableFuture.completedFuture(StatusReply.error(asset.getError()))
                : then.apply(asset.getValue()));
    }

    /** The asset, unless it is unknown or burned (refused with that code). */
    private CompletionStage<StatusReply<Asset.Summary>> usable(String id) {
        return asset(id, Asset.Get::new)
                .thenApply(asset -> asset.isSuccess() && asset.getValue().status() == Asset.Status.BURNED
                        ? StatusReply.error(AssetRejection.BURNED.message("asset " + id + " was burned"))
                        : asset);
    }

    /** Who holds an asset now: its borrower while lent, else its owner. */
    private static String holder(Asset.Summary asset) {
        return asset.lentTo() != null ? asset.lentTo() : asset.owner();
    }

    private static <T> CompletionStage<StatusReply<T>> refused(AssetRejection why, String details) {
        return CompletableFuture.completedFuture(StatusReply.error(why.message(details)));
    }

    private CompletionStage<StatusReply<AssetUsage.Summary>> usage(
            String id, Function<ActorRef<StatusReply<AssetUsage.Summary>>, AssetUsage.Command> command) {
        return sharding.entityRefFor(AssetUsage.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    private CompletionStage<StatusReply<Claims.Claim>> claims(
            String scope, Function<ActorRef<StatusReply<Claims.Claim>>, Claims.Command> command) {
        return sharding.entityRefFor(Claims.ENTITY_KEY, scope).ask(command::apply, settings.askTimeout());
    }
}

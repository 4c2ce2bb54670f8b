package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.worldserver.asset.Asset;
import org.worldserver.asset.AssetIndex;
import org.worldserver.asset.AssetSpec;
import org.worldserver.asset.Assets;
import org.worldserver.asset.Trade;
import org.worldserver.shard.region.AssetPlacements;
import org.worldserver.shard.region.WorldRegions;

/**
 * The assets' operator API (JSON; prices in integer micro-credits; errors {@code {"error": code, "message": text}}
 * with the entities' stable codes: 404 unknown, 403 not the owner, 400 malformed, 409 what the asset's state
 * forbids). {@code by} is the identity the caller acts as: this API is the operator's, so it trusts it.
 *
 * <pre>
 * POST   /assets                 {"id", "kind", "creator", "owner"?, "name", "attributes"?: {name: {"type": TEXT|NUMBER|BOOL,
 *                                 "value"}}, "tags"?: [..], "parcel"?: {"region", "minX", "minZ", "maxX", "maxZ"},
 *                                 "edition"?: {"series", "number", "maxSupply"}, "contentHash"?}    201 the asset
 * GET    /assets/{id}            the asset with its provenance                                      200 | 404 asset-unknown
 * GET    /assets/{id}/verify     its hash chain read back from Cassandra
 * POST   /assets/{id}/transfer   {"to", "by"}                                                      200 | 403 asset-not-owner
 * POST   /assets/{id}/listing    {"price", "by"}    listed (again: a new price)                   200
 * DELETE /assets/{id}/listing    {"by"}                                                            200
 * POST   /assets/{id}/lend       {"to", "until", "by"}    back to its owner by itself at `until`  200
 * POST   /assets/{id}/versions   {"contentHash", "by"}    models and twins                        200
 * POST   /assets/{id}/burn       {"by"}                                                            200
 * POST   /assets/{id}/buy        {"trade", "buyer", "price"}   201 once COMPLETED; voided: the refusal's code and
 *                                status (409 asset-locked, insufficient-funds, asset-price-changed, ...)
 * GET    /trades/{id}                                                                              200 | 404 trade-unknown
 * POST   /assets/{id}/placements {"placement", "region", "x", "y", "z", "by"}   a model or twin placed at a point of
 *                                an open region by its holder                          201 the usage | 404 region-unknown
 * DELETE /assets/{id}/placements/{placement}  {"by"}   by whoever placed it or the holder        200 the usage
 * POST   /assets/{id}/uses       {"use", "region", "user"}   one use where it is placed (once per use id)  201 the usage
 * GET    /assets/{id}/usage?by=  placements and uses, for the owner                           200 | 403 asset-not-owner
 * GET    /assets?owner=&kind=&tag=&region=&status=&attr.NAME=&attr.NAME.min=&attr.NAME.max=&min_price=&max_price=&q=
 *        &after=&limit=          search the metadata index (it trails the assets by seconds)  200 | 400 query-invalid
 * GET    /assets/index/status    documents, events applied, lag of the last event
 * POST   /assets/index/rebuild   drop the index and read the whole journal again
 * </pre>
 */
public final class AssetRoutes extends EntityRoutes implements ManagementRouteProvider {

    private final ActorSystem<?> system;
    private final Assets assets;

    public AssetRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
        this.assets = Assets.get(this.system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> concat(
                post(() -> concat(
                        path("assets", () -> body(this::mint)),
                        path(
                                PathMatchers.segment("assets").slash("index").slash("rebuild"),
                                () -> onSuccess(assets.rebuildIndex(), JsonReplies::json)),
                        pathPrefix(
                                PathMatchers.segment("assets").slash(PathMatchers.segment()),
                                id -> concat(
                                        path("transfer", () -> body(b -> byOwner(id, b, "to"))),
                                        path("listing", () -> body(b -> list(id, b))),
                                        path("lend", () -> body(b -> lend(id, b))),
                                        path("versions", () -> body(b -> version(id, b))),
                                        path("burn", () -> body(b -> byOwner(id, b, null))),
                                        path("buy", () -> body(b -> buy(id, b))),
                                        path("placements", () -> body(b -> place(id, b))),
                                        path("uses", () -> body(b -> use(id, b))))))),
                delete(() -> concat(
                        path(
                                PathMatchers.segment("assets")
                                        .slash(PathMatchers.segment())
                                        .slash("listing"),
                                id -> body(b -> ids(b, "by")
                                        ? answer(
                                                assets.asset(
                                                        id,
                                                        r -> new Asset.Delist(
                                                                b.get("by").asText(), r)),
                                                StatusCodes.OK)
                                        : error(StatusCodes.BAD_REQUEST, "asset-invalid", "expected {\"by\": owner}"))),
                        path(
                                PathMatchers.segment("assets")
                                        .slash(PathMatchers.segment())
                                        .slash("placements")
                                        .slash(PathMatchers.segment()),
                                (id, placement) -> body(b -> ids(b, "by")
                                        ? answer(
                                                assets.removePlacement(
                                                        id,
                                                        placement,
                                                        b.get("by").asText()),
                                                StatusCodes.OK)
                                        : error(
                                                StatusCodes.BAD_REQUEST,
                                                "usage-invalid",
                                                "expected {\"by\": who placed it or holds the asset}"))))),
                get(() -> concat(
                        path("assets", () -> parameterMap(this::search)),
                        path(
                                PathMatchers.segment("assets").slash("index").slash("status"),
                                () -> onSuccess(assets.indexStatus(), JsonReplies::json)),
                        path(
                                PathMatchers.segment("assets")
                                        .slash(PathMatchers.segment())
                                        .slash("verify"),
                                this::verify),
                        path(
                                PathMatchers.segment("assets")
                                        .slash(PathMatchers.segment())
                                        .slash("usage"),
                                id -> parameter("by", by -> answer(assets.usage(id, by), StatusCodes.OK))),
                        path(
                                PathMatchers.segment("assets").slash(PathMatchers.segment()),
                                id -> answer(assets.asset(id, Asset.Get::new), StatusCodes.OK)),
                        path(
                                PathMatchers.segment("trades").slash(PathMatchers.segment()),
                                id -> answer(assets.trade(id, Trade.Get::new), StatusCodes.OK))))));
    }

    /** What {@code GET /assets} answers; {@code next} is the cursor for the following page (null on the last). */
    public record SearchResults(List<AssetIndex.Doc> results, int count, String next, boolean live) {}

    private static final int DEFAULT_LIMIT = 50;

    /**
     * {@code GET /assets?owner=&kind=&tag=&region=&status=&attr.NAME=value&attr.NAME.min=&attr.NAME.max=&min_price=
     * &max_price=&q=&after=&limit=}: 400 {@code query-invalid} for a malformed parameter.
     */
    private Route search(Map<String, String> params) {
        try {
            Map<String, String> equals = new TreeMap<>();
            Map<String, double[]> ranges = new TreeMap<>();
            for (Map.Entry<String, String> p : params.entrySet()) {
                if (!p.getKey().startsWith("attr.")) {
                    continue;
                }
                String name = p.getKey().substring("attr.".length());
                if (name.endsWith(".min") || name.endsWith(".max")) {
                    String attribute = name.substring(0, name.length() - 4);
                    double[] range = ranges.computeIfAbsent(
                            attribute, a -> new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
                    range[name.endsWith(".min") ? 0 : 1] = Double.parseDouble(p.getValue());
                } else {
                    equals.put(name, p.getValue());
                }
            }
            int limit = params.containsKey("limit") ? Integer.parseInt(params.get("limit")) : DEFAULT_LIMIT;
            if (limit < 1 || limit > 500) {
                throw new IllegalArgumentException("limit must be 1 to 500");
            }
            AssetIndex.Query query = new AssetIndex.Query(
                    params.get("owner"),
                    params.containsKey("kind") ? AssetSpec.Kind.valueOf(params.get("kind")) : null,
                    params.get("tag"),
                    equals.isEmpty() ? null : equals,
                    ranges.isEmpty() ? null : ranges,
                    params.get("region"),
                    params.containsKey("min_price") ? Long.parseLong(params.get("min_price")) : null,
                    params.containsKey("max_price") ? Long.parseLong(params.get("max_price")) : null,
                    params.get("q"),
                    params.containsKey("status") ? Asset.Status.valueOf(params.get("status")) : null,
                    params.get("after"),
                    limit);
            return onSuccess(assets.search(query), found -> {
                List<AssetIndex.Doc> docs = found.docs();
                String next = docs.size() == limit ? docs.get(docs.size() - 1).id() : null;
                return JsonReplies.json(new SearchResults(docs, docs.size(), next, found.live()));
            });
        } catch (IllegalArgumentException e) { // NumberFormatException included
            return error(
                    StatusCodes.BAD_REQUEST,
                    "query-invalid",
                    "owner, kind (LAND_PARCEL|ITEM|MODEL|TWIN|COLLECTIBLE), tag, region, status, attr.NAME=value,"
                            + " attr.NAME.min|max=number, min_price, max_price (micro-credits), q, after, limit (1-500): "
                            + e.getMessage());
        }
    }

    private Route mint(JsonNode json) {
        AssetSpec spec = spec(json);
        if (spec == null || !ids(json, "id")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "asset-invalid",
                    "expected {\"id\", \"kind\": LAND_PARCEL|ITEM|MODEL|TWIN|COLLECTIBLE, \"creator\", \"name\", ...}"
                            + " (see the API's documentation)");
        }
        String owner = json.path("owner").isTextual() ? json.get("owner").asText() : null;
        return answer(assets.mint(json.get("id").asText(), spec, owner), StatusCodes.CREATED);
    }

    /** The spec in a mint request, or null when its shape is wrong (its content is checked by {@link AssetSpec}). */
    static AssetSpec spec(JsonNode json) {
        AssetSpec.Kind kind;
        try {
            kind = AssetSpec.Kind.valueOf(json.path("kind").asText(""));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!json.path("creator").isTextual() || !json.path("name").isTextual()) {
            return null;
        }
        for (String optionalText : new String[] {"owner", "contentHash"}) {
            if (!json.path(optionalText).isMissingNode()
                    && !json.path(optionalText).isTextual()) {
                return null;
            }
        }
        Map<String, AssetSpec.Attribute> attributes = new TreeMap<>();
        JsonNode attrs = json.path("attributes");
        if (!attrs.isMissingNode()) {
            if (!attrs.isObject()) {
                return null;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> a = it.next();
                AssetSpec.Attribute.Type type;
                try {
                    type = AssetSpec.Attribute.Type.valueOf(
                            a.getValue().path("type").asText(""));
                } catch (IllegalArgumentException e) {
                    return null;
                }
                JsonNode value = a.getValue().path("value");
                if (!value.isValueNode() || value.isNull()) {
                    return null;
                }
                attributes.put(a.getKey(), new AssetSpec.Attribute(type, value.asText()));
            }
        }
        Set<String> tags = new TreeSet<>();
        JsonNode tagList = json.path("tags");
        if (!tagList.isMissingNode()) {
            if (!tagList.isArray()) {
                return null;
            }
            for (JsonNode t : tagList) {
                if (!t.isTextual()) {
                    return null;
                }
                tags.add(t.asText());
            }
        }
        AssetSpec.Parcel parcel = null;
        JsonNode p = json.path("parcel");
        if (!p.isMissingNode()) {
            if (!p.path("region").isTextual() || !ints(p, "minX", "minZ", "maxX", "maxZ")) {
                return null;
            }
            parcel = new AssetSpec.Parcel(
                    p.get("region").asText(),
                    p.get("minX").asInt(),
                    p.get("minZ").asInt(),
                    p.get("maxX").asInt(),
                    p.get("maxZ").asInt());
        }
        AssetSpec.Edition edition = null;
        JsonNode e = json.path("edition");
        if (!e.isMissingNode()) {
            if (!e.path("series").isTextual() || !ints(e, "number", "maxSupply")) {
                return null;
            }
            edition = new AssetSpec.Edition(
                    e.get("series").asText(),
                    e.get("number").asInt(),
                    e.get("maxSupply").asInt());
        }
        String contentHash =
                json.path("contentHash").isTextual() ? json.get("contentHash").asText() : null;
        return new AssetSpec(
                kind,
                json.get("creator").asText(),
                json.get("name").asText(),
                attributes,
                tags,
                parcel,
                edition,
                contentHash);
    }

    private static boolean ints(JsonNode json, String... fields) {
        for (String f : fields) {
            if (!json.path(f).isInt()) {
                return false;
            }
        }
        return true;
    }

    /** A transfer ({@code to} given) or a burn ({@code to} null) by the owner. */
    private Route byOwner(String id, JsonNode json, String to) {
        if (!ids(json, "by") || (to != null && !ids(json, to))) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "asset-invalid",
                    to != null ? "expected {\"to\": new owner, \"by\": owner}" : "expected {\"by\": owner}");
        }
        String by = json.get("by").asText();
        return answer(
                to != null
                        ? assets.asset(
                                id, r -> new Asset.Transfer(json.get("to").asText(), by, r))
                        : assets.asset(id, r -> new Asset.Burn(by, r)),
                StatusCodes.OK);
    }

    private Route list(String id, JsonNode json) {
        if (!ids(json, "by") || !micros(json, "price")) {
            return error(
                    StatusCodes.BAD_REQUEST, "asset-invalid", "expected {\"price\": micro-credits, \"by\": owner}");
        }
        long price = json.get("price").asLong();
        return answer(
                assets.asset(
                        id, r -> new Asset.ListForSale(price, json.get("by").asText(), r)),
                StatusCodes.OK);
    }

    private Route lend(String id, JsonNode json) {
        java.time.Instant until = instant(json.path("until"));
        if (!ids(json, "to", "by") || until == null) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "asset-invalid",
                    "expected {\"to\": borrower, \"until\": ISO-8601 instant, \"by\": owner}");
        }
        return answer(
                assets.asset(
                        id,
                        r -> new Asset.Lend(
                                json.get("to").asText(), until, json.get("by").asText(), r)),
                StatusCodes.OK);
    }

    private Route version(String id, JsonNode json) {
        if (!ids(json, "by") || !json.path("contentHash").isTextual()) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "asset-invalid",
                    "expected {\"contentHash\": SHA-256 hex, \"by\": owner or creator}");
        }
        return answer(
                assets.asset(
                        id,
                        r -> new Asset.AddVersion(
                                json.get("contentHash").asText(), json.get("by").asText(), r)),
                StatusCodes.OK);
    }

    private Route buy(String id, JsonNode json) {
        if (!ids(json, "trade", "buyer") || !micros(json, "price")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "trade-invalid",
                    "expected {\"trade\": id, \"buyer\": account, \"price\": the listing's micro-credits}");
        }
        String buyer = json.get("buyer").asText();
        long price = json.get("price").asLong();
        return answer(assets.buy(json.get("trade").asText(), id, buyer, price), StatusCodes.CREATED);
    }

    private Route place(String id, JsonNode json) {
        if (!ids(json, "placement", "region", "by")
                || !json.path("x").isNumber()
                || !json.path("y").isNumber()
                || !json.path("z").isNumber()) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "usage-invalid",
                    "expected {\"placement\": id, \"region\", \"x\", \"y\", \"z\": metres, \"by\": holder}");
        }
        return answer(
                AssetPlacements.place(
                        WorldRegions.get(system), // when asked: the extension starts the node's regions
                        assets,
                        id,
                        json.get("placement").asText(),
                        json.get("region").asText(),
                        (float) json.get("x").asDouble(),
                        (float) json.get("y").asDouble(),
                        (float) json.get("z").asDouble(),
                        json.get("by").asText()),
                StatusCodes.CREATED);
    }

    private Route use(String id, JsonNode json) {
        if (!ids(json, "use", "region", "user")) {
            return error(
                    StatusCodes.BAD_REQUEST, "usage-invalid", "expected {\"use\": id, \"region\", \"user\": avatar}");
        }
        return answer(
                assets.use(
                        id,
                        json.get("use").asText(),
                        json.get("region").asText(),
                        json.get("user").asText()),
                StatusCodes.CREATED);
    }

    private Route verify(String id) {
        return verify(system, Asset.ENTITY_KEY.name() + "|" + id, id, "asset-unknown");
    }
}

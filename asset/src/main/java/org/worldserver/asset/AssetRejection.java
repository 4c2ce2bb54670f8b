package org.worldserver.asset;

import org.worldserver.persistence.StableCode;

/**
 * Why an asset command was refused. Stable codes; the message in {@code StatusReply.error} is {@code "<code>:
 * <details>"}. A refusal changes nothing.
 */
public enum AssetRejection implements StableCode {
    UNKNOWN("asset-unknown"),
    EXISTS("asset-exists"),
    INVALID("asset-invalid"),
    METADATA_INVALID("metadata-invalid"),
    NOT_OWNER("asset-not-owner"),
    LISTED("asset-listed"),
    NOT_LISTED("asset-not-listed"),
    LOCKED("asset-locked"),
    NOT_LOCKED("asset-not-locked"),
    LENT("asset-lent"),
    BURNED("asset-burned"),
    OWN_ASSET("asset-own"),
    PRICE_CHANGED("asset-price-changed"),
    PRICE_INVALID("price-invalid"),
    KIND_MISMATCH("asset-kind-mismatch"),
    PARCEL_OVERLAP("parcel-overlap"),
    EDITION_TAKEN("edition-taken"),
    SUPPLY_MISMATCH("edition-supply-mismatch"),
    OVER_SUPPLY("edition-over-supply"),
    TRADE_ENDED("trade-ended"),
    NOT_PLACEABLE("asset-not-placeable"),
    NOT_PLACED("asset-not-placed"),
    PLACEMENT_EXISTS("placement-exists"),
    PLACEMENT_UNKNOWN("placement-unknown"),
    PLACEMENTS_FULL("placements-full"),
    USAGE_INVALID("usage-invalid");

    private final String code;

    AssetRejection(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }
}

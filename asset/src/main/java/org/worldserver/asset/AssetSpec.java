package org.worldserver.asset;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.worldserver.persistence.CborSerializable;
import org.worldserver.persistence.ClientIds;

/**
 * What an asset is, fixed when it is minted: its kind, creator, name, typed metadata and tags, and what its kind
 * requires (a land parcel's cells, a collectible's edition, a model's or twin's content hash). Immutable; {@link
 * #problem()} says what is malformed.
 *
 * @param attributes metadata by name (lowercase, {@code [a-z][a-z0-9_.-]*}, at most 64 of them)
 * @param tags at most 32, each {@code [a-z0-9][a-z0-9-]*}
 * @param parcel for {@link Kind#LAND_PARCEL} only
 * @param edition for {@link Kind#COLLECTIBLE} only (its number against the supply is checked by {@link Claims})
 * @param contentHash for {@link Kind#MODEL} and {@link Kind#TWIN} only: SHA-256, 64 lowercase hex digits
 */
public record AssetSpec(
        Kind kind,
        String creator,
        String name,
        Map<String, Attribute> attributes,
        Set<String> tags,
        Parcel parcel,
        Edition edition,
        String contentHash)
        implements CborSerializable {

    /** What an asset is. */
    public enum Kind {
        LAND_PARCEL,
        ITEM,
        MODEL,
        TWIN,
        COLLECTIBLE
    }

    /** A typed metadata value: text, a number (a finite decimal) or a flag ({@code true}/{@code false}). */
    public record Attribute(Type type, String value) implements CborSerializable {
        public enum Type {
            TEXT,
            NUMBER,
            BOOL
        }

        /** The value as a number (NUMBER only). */
        public double number() {
            return Double.parseDouble(value);
        }
    }

    /**
     * A rectangle of world cells in one region, inclusive at both ends (cell coordinates, as the region's grid
     * numbers them).
     */
    public record Parcel(String region, int minX, int minZ, int maxX, int maxZ) implements CborSerializable {
        public boolean overlaps(Parcel other) {
            return region.equals(other.region)
                    && minX <= other.maxX
                    && other.minX <= maxX
                    && minZ <= other.maxZ
                    && other.minZ <= maxZ;
        }

        long cells() {
            return ((long) maxX - minX + 1) * ((long) maxZ - minZ + 1); // in long: int extremes must not wrap
        }
    }

    /** Edition {@code number} of {@code maxSupply} in series {@code series}. */
    public record Edition(String series, int number, int maxSupply) implements CborSerializable {}

    public static final int MAX_ATTRIBUTES = 64;
    public static final int MAX_TAGS = 32;
    public static final int MAX_VALUE_LENGTH = 512;
    /** The largest parcel, in cells. */
    public static final long MAX_PARCEL_CELLS = 65_536;

    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    private static final Pattern TAG = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern SHA_256 = Pattern.compile("[0-9a-f]{64}");

    /** What is wrong with this spec (the first problem found), or null when it is well formed. */
    public String problem() {
        if (kind == null) {
            return "a kind is required";
        }
        if (!ClientIds.valid(creator)) {
            return "a creator id (1-128 characters, no ':') is required";
        }
        if (name == null || name.isBlank() || name.length() > 128) {
            return "a name of 1-128 characters is required";
        }
        String metadata = metadataProblem();
        if (metadata != null) {
            return metadata;
        }
        if ((kind == Kind.LAND_PARCEL) != (parcel != null)) {
            return "a land parcel, and only a land parcel, has cells";
        }
        if (parcel != null
                && (!ClientIds.valid(parcel.region())
                        || parcel.minX() > parcel.maxX()
                        || parcel.minZ() > parcel.maxZ()
                        || parcel.cells() > MAX_PARCEL_CELLS)) {
            return "a parcel is a region and minX ≤ maxX, minZ ≤ maxZ, at most " + MAX_PARCEL_CELLS + " cells";
        }
        if ((kind == Kind.COLLECTIBLE) != (edition != null)) {
            return "a collectible, and only a collectible, has an edition";
        }
        if (edition != null
                && (!ClientIds.valid(edition.series()) || edition.maxSupply() < 1 || edition.number() < 1)) {
            return "an edition is a series, a number ≥ 1 and a maximum supply ≥ 1";
        }
        boolean hasContent = kind == Kind.MODEL || kind == Kind.TWIN;
        if (hasContent != (contentHash != null)) {
            return "a model or a twin, and only those, has a content hash";
        }
        if (contentHash != null && !SHA_256.matcher(contentHash).matches()) {
            return "a content hash is SHA-256: 64 lowercase hex digits";
        }
        return null;
    }

    /**
     * The refusal of a malformed spec ({@code metadata-invalid} for its attributes and tags, {@code asset-invalid}
     * otherwise, with what is wrong), or null when it is well formed.
     */
    public String refusal() {
        String problem = problem();
        if (problem == null) {
            return null;
        }
        return (problem.equals(metadataProblem()) ? AssetRejection.METADATA_INVALID : AssetRejection.INVALID)
                .message(problem);
    }

    /** Whether the attributes and tags are malformed (null: they are fine); the code for it is metadata-invalid. */
    public String metadataProblem() {
        if (attributes == null || tags == null) {
            return "attributes and tags are required (they may be empty)";
        }
        if (attributes.size() > MAX_ATTRIBUTES || tags.size() > MAX_TAGS) {
            return "at most " + MAX_ATTRIBUTES + " attributes and " + MAX_TAGS + " tags";
        }
        for (Map.Entry<String, Attribute> a : attributes.entrySet()) {
            String problem = attributeProblem(a.getKey(), a.getValue());
            if (problem != null) {
                return problem;
            }
        }
        for (String tag : tags) {
            if (tag == null || !TAG.matcher(tag).matches()) {
                return "tag " + tag + " is not [a-z0-9][a-z0-9-]* (at most 64 characters)";
            }
        }
        return null;
    }

    private static String attributeProblem(String name, Attribute a) {
        if (name == null || !ATTRIBUTE_NAME.matcher(name).matches()) {
            return "attribute name " + name + " is not [a-z][a-z0-9_.-]* (at most 64 characters)";
        }
        if (a == null || a.type() == null || a.value() == null || a.value().length() > MAX_VALUE_LENGTH) {
            return "attribute " + name + " needs a type and a value of at most " + MAX_VALUE_LENGTH + " characters";
        }
        switch (a.type()) {
            case NUMBER:
                try {
                    return Double.isFinite(Double.parseDouble(a.value()))
                            ? null
                            : "attribute " + name + " is not a finite number";
                } catch (NumberFormatException e) {
                    return "attribute " + name + " is not a number: " + a.value();
                }
            case BOOL:
                return a.value().equals("true") || a.value().equals("false")
                        ? null
                        : "attribute " + name + " is not true or false";
            default:
                return null;
        }
    }
}

package org.worldserver.shard.region;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cell of a region: column {@code ix} (east) and row {@code iz} (north) of the region's cell grid. Its
 * {@link #entityId()} names the sharded cell actor: {@code <region>:<ix>:<iz>}.
 */
public record CellId(String region, int ix, int iz) {

    private static final Pattern FORMAT = Pattern.compile("([a-z0-9][a-z0-9-]{0,31}):(\\d{1,4}):(\\d{1,4})");

    public String entityId() {
        return region + ":" + ix + ":" + iz;
    }

    /** @throws IllegalArgumentException if {@code entityId} is not {@code <region>:<ix>:<iz>} */
    public static CellId parse(String entityId) {
        Matcher m = FORMAT.matcher(entityId);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + entityId + "' is not a cell id <region>:<ix>:<iz>");
        }
        return new CellId(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    @Override
    public String toString() {
        return entityId();
    }
}

package org.worldserver.shard.region;

import java.util.ArrayList;
import java.util.List;
import org.worldserver.shard.world.CellArea;
import org.worldserver.shard.world.RegionBounds;

/**
 * How a region's ground plane is cut into square cells of {@link RegionDefinition#cellSize()}: {@code columns ×
 * rows} cells, the last column and row possibly narrower. Every point of the region belongs to exactly one cell
 * ({@link #cellAt}): a point on a border between two cells belongs to the one east (north) of it, and the
 * region's far edges belong to the last column (row). Immutable.
 */
public final class CellLayout {

    /** Most cells in one region: cell index × 2^20 entity ids must fit in an int (see RegionCell). */
    public static final int MAX_CELLS = 2048;

    private final RegionDefinition definition;
    private final int columns;
    private final int rows;

    public CellLayout(RegionDefinition definition) {
        this.definition = definition;
        RegionBounds b = definition.bounds();
        this.columns = Math.max(1, (int) Math.ceil(b.width() / definition.cellSize()));
        this.rows = Math.max(1, (int) Math.ceil(b.depth() / definition.cellSize()));
    }

    public RegionDefinition definition() {
        return definition;
    }

    public int columns() {
        return columns;
    }

    public int rows() {
        return rows;
    }

    /** The cell that owns ground point (x, z); points outside the region go to the nearest edge cell. */
    public CellId cellAt(float x, float z) {
        return new CellId(definition.name(), column(x), row(z));
    }

    /** True if (x, z) belongs to {@code cell}. Allocation-free: the tick asks this for every avatar. */
    public boolean owns(CellId cell, float x, float z) {
        return column(x) == cell.ix() && row(z) == cell.iz();
    }

    int column(float x) {
        int c = (int) Math.floor((x - definition.bounds().minX()) / definition.cellSize());
        return Math.max(0, Math.min(columns - 1, c));
    }

    int row(float z) {
        int r = (int) Math.floor((z - definition.bounds().minZ()) / definition.cellSize());
        return Math.max(0, Math.min(rows - 1, r));
    }

    public boolean isInside(CellId cell) {
        return cell.region().equals(definition.name())
                && cell.ix() >= 0
                && cell.ix() < columns
                && cell.iz() >= 0
                && cell.iz() < rows;
    }

    /** Position of {@code cell} in row-major order, in {@code [0, columns × rows)}. */
    public int index(CellId cell) {
        return cell.iz() * columns + cell.ix();
    }

    /** The ground rectangle of {@code cell} (full height of the region). */
    public RegionBounds boundsOf(CellId cell) {
        RegionBounds b = definition.bounds();
        float size = definition.cellSize();
        float minX = b.minX() + cell.ix() * size;
        float minZ = b.minZ() + cell.iz() * size;
        return new RegionBounds(
                minX, b.minY(), minZ, Math.min(b.maxX(), minX + size), b.maxY(), Math.min(b.maxZ(), minZ + size));
    }

    /** The part of the region {@code cell} owns, as its simulation sees it. */
    public CellArea areaOf(CellId cell) {
        RegionBounds square = boundsOf(cell);
        return new CellArea() {
            @Override
            public boolean owns(float x, float z) {
                return CellLayout.this.owns(cell, x, z);
            }

            @Override
            public RegionBounds square() {
                return square;
            }
        };
    }

    /** Every cell of the region, row by row. */
    public List<CellId> allCells() {
        List<CellId> cells = new ArrayList<>(columns * rows);
        for (int iz = 0; iz < rows; iz++) {
            for (int ix = 0; ix < columns; ix++) {
                cells.add(new CellId(definition.name(), ix, iz));
            }
        }
        return cells;
    }

    /**
     * The neighbours (up to 8) of {@code cell} that lie within {@code radius} metres of ground point (x, z) in
     * {@code cell}: bit {@code k} of the result is set for {@link #neighbour neighbour k}. Allocation-free.
     */
    public int neighboursNear(CellId cell, float x, float z, float radius) {
        RegionBounds b = definition.bounds();
        float size = definition.cellSize();
        float cellMinX = b.minX() + cell.ix() * size;
        float cellMinZ = b.minZ() + cell.iz() * size;
        boolean w = x - cellMinX < radius && cell.ix() > 0;
        boolean e = Math.min(b.maxX(), cellMinX + size) - x <= radius && cell.ix() < columns - 1;
        boolean s = z - cellMinZ < radius && cell.iz() > 0;
        boolean n = Math.min(b.maxZ(), cellMinZ + size) - z <= radius && cell.iz() < rows - 1;
        int mask = 0;
        for (int k = 0; k < 8; k++) {
            int dx = NEIGHBOUR_DX[k];
            int dz = NEIGHBOUR_DZ[k];
            boolean xOk = dx == 0 || (dx < 0 ? w : e);
            boolean zOk = dz == 0 || (dz < 0 ? s : n);
            if (xOk && zOk) {
                mask |= 1 << k;
            }
        }
        return mask;
    }

    /** Neighbour {@code k} (0..7) of {@code cell}, or null where the region ends. */
    public CellId neighbour(CellId cell, int k) {
        CellId n = new CellId(cell.region(), cell.ix() + NEIGHBOUR_DX[k], cell.iz() + NEIGHBOUR_DZ[k]);
        return isInside(n) ? n : null;
    }

    private static final int[] NEIGHBOUR_DX = {-1, 0, 1, -1, 1, -1, 0, 1};
    private static final int[] NEIGHBOUR_DZ = {-1, -1, -1, 0, 0, 1, 1, 1};
}

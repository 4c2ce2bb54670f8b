package org.worldserver.shard.gateway;

import com.typesafe.config.Config;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.util.concurrent.TimeUnit;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * The node's embedded Aeron media driver, as {@code world.gateway.driver} configures it: its directory (one per
 * node: two nodes on one machine must not share it), threading mode, idle strategy and term length. The driver
 * maps each publication and image as 3 × term length of sparse files in its directory (on {@code /dev/shm} by
 * default); see {@code deploy/README.md} for sizing.
 */
public final class GatewayDriver implements AutoCloseable {

    private static final String PREFIX = "world-aeron-";

    private final MediaDriver driver;

    private GatewayDriver(MediaDriver driver) {
        this.driver = driver;
    }

    /**
     * Launches the driver.
     *
     * @param driverConfig the {@code world.gateway.driver} section
     * @param defaultDirName the directory to use when {@code dir} is empty (unique per node)
     */
    public static GatewayDriver launch(Config driverConfig, String defaultDirName) {
        String dir = driverConfig.getString("dir");
        deleteStaleDirectories(new File(dir.isBlank() ? defaultDirName : dir).getParentFile(), 10_000);
        MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(dir.isBlank() ? defaultDirName : dir)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.valueOf(driverConfig.getString("threading-mode")))
                .publicationTermBufferLength(driverConfig.getInt("term-length"))
                .ipcTermBufferLength(driverConfig.getInt("term-length"))
                .termBufferSparseFile(true)
                .sharedIdleStrategy(idleStrategy(driverConfig.getString("idle-strategy")))
                .conductorIdleStrategy(idleStrategy(driverConfig.getString("idle-strategy")))
                .senderIdleStrategy(idleStrategy(driverConfig.getString("idle-strategy")))
                .receiverIdleStrategy(idleStrategy(driverConfig.getString("idle-strategy")))
                .sharedNetworkIdleStrategy(idleStrategy(driverConfig.getString("idle-strategy")));
        return new GatewayDriver(MediaDriver.launch(context));
    }

    /**
     * {@code busy-spin} (lowest latency, a core per driver thread), {@code yielding}, {@code backoff} (spins, then
     * yields, then parks up to 1 ms: the default) or {@code sleeping} (parks 1 ms: idle nodes).
     */
    public static IdleStrategy idleStrategy(String name) {
        switch (name) {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "yielding":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy(
                        100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case "sleeping":
                return new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1));
            default:
                throw new IllegalArgumentException(
                        "world.gateway.driver.idle-strategy must be busy-spin, yielding, backoff or sleeping, was "
                                + name);
        }
    }

    /** The directory clients of this driver (the gateway's Aeron client) connect through. */
    public String directory() {
        return driver.aeronDirectoryName();
    }

    /** Stops the driver and deletes its directory. */
    @Override
    public void close() {
        driver.close();
    }

    /**
     * Deletes the {@code world-aeron-*} directories in {@code parent} whose driver has not beaten its heartbeat
     * for {@code staleAfterMillis} (and that are at least that old): what killed nodes left behind, which would
     * otherwise hold {@code /dev/shm} memory until a node of the same name started. A running driver's directory,
     * or one that cannot be read, is left alone.
     */
    static void deleteStaleDirectories(File parent, long staleAfterMillis) {
        File[] dirs = parent == null
                ? null
                : parent.listFiles(f -> f.isDirectory() && f.getName().startsWith(PREFIX));
        if (dirs == null) {
            return;
        }
        long now = System.currentTimeMillis();
        for (File d : dirs) {
            try {
                if (new File(d, "cnc.dat").exists()
                        && now - d.lastModified() > staleAfterMillis
                        && !CommonContext.isDriverActive(d, staleAfterMillis, message -> {})) {
                    IoUtil.delete(d, true);
                }
            } catch (RuntimeException unreadable) {
                // not a driver directory we understand: not ours to delete
            }
        }
    }

    /** {@code /dev/shm/world-aeron-<node>} on Linux, else under the temporary directory. */
    public static String defaultDirectory(String nodeName) {
        File shm = new File("/dev/shm");
        File base = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        return new File(base, PREFIX + nodeName).getPath();
    }
}

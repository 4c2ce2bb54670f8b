package org.worldserver.loadtest;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.SleepingIdleStrategy;

/**
 * The embedded Aeron media driver and client of a client process (the CLI, or the load-test harness with all its
 * bots): one shared driver thread, 64 KiB terms (what the gateway accepts), a directory of its own under
 * {@code /dev/shm} named {@code world-aeron-client-*} (a node's driver deletes such directories when their driver
 * has died), deleted on close.
 */
public final class ClientAeron implements AutoCloseable {

    /** The term length the gateway requires of client publications. */
    public static final int TERM_LENGTH = 65536;

    /** Requested UDP receive buffer, bytes. */
    static final int SOCKET_BUFFER = 4 * 1024 * 1024;

    private final MediaDriver driver;
    private final Aeron aeron;

    public ClientAeron() {
        File shm = new File("/dev/shm");
        File base = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        String dir = new File(base, "world-aeron-client-" + UUID.randomUUID()).getPath();
        this.driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .threadingMode(ThreadingMode.SHARED)
                // Parks 1 ms when a cycle found nothing: the driver visits every bot's streams each cycle, and
                // cycles spinning between datagrams cost CPU in proportion to the bots (as on the server).
                .sharedIdleStrategy(new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
                .publicationTermBufferLength(TERM_LENGTH)
                .ipcTermBufferLength(TERM_LENGTH)
                .termBufferSparseFile(true)
                // Every cell ticks at once and all of a process's bots receive then: a burst of hundreds of
                // datagrams on one socket. Aeron's default 128 KiB receive buffer overflowed at 200 bots (35 %
                // loss); the kernel caps it at net.core.rmem_max.
                .socketRcvbufLength(SOCKET_BUFFER));
        try {
            this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    public Aeron aeron() {
        return aeron;
    }

    @Override
    public void close() {
        aeron.close();
        driver.close();
    }
}

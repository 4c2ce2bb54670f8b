package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayDriverTest {

    /** A driver directory left by a node that died is removed; the directory of a running driver is not. */
    @Test
    void shouldDeleteOnlyTheDirectoriesOfDriversThatStopped(@TempDir Path parent) throws Exception {
        File dead = parent.resolve("world-aeron-node-1").toFile();
        File alive = parent.resolve("world-aeron-node-2").toFile();
        MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(dead.getPath())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnShutdown(false); // as if killed: the directory stays
        MediaDriver.launch(context).close();
        try (MediaDriver running = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(alive.getPath())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnShutdown(true))) {
            // The dead driver's heartbeat ages past the 1 s limit used here (it cannot beat again); the live one's
            // never does.
            LoopbackAeron.until(
                    () -> !dead.exists(), () -> GatewayDriver.deleteStaleDirectories(parent.toFile(), 1_000));
            assertTrue(alive.exists(), "a running driver's directory stays");
        }
    }
}

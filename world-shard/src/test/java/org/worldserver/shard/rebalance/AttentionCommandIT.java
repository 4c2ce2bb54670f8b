package org.worldserver.shard.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.worldserver.attention.AttentionNetwork;

/**
 * {@code bin/world attention train} as an operator runs it: the node's own runtime classpath (not the tests'), which
 * a node loading a trained model shares. It once lacked a library of ND4J's that only the tests had.
 */
class AttentionCommandIT {

    private static final Path ROOT =
            Path.of(System.getProperty("world.root", "..")).toAbsolutePath().normalize();

    @Test
    void shouldTrainAndSaveANetworkWithTheShippedCommand(@TempDir Path dir) throws Exception {
        Path a = AttentionCommandTest.recording(dir, "a.jsonl", 1);
        Path b = AttentionCommandTest.recording(dir, "b.jsonl", 2);
        Path c = AttentionCommandTest.recording(dir, "c.jsonl", 3);
        File model = dir.resolve("model.zip").toFile();
        File log = dir.resolve("train.log").toFile();
        Process train = new ProcessBuilder(
                        "bash",
                        ROOT.resolve("bin/world").toString(),
                        "attention",
                        "train",
                        "--data",
                        a + "," + b,
                        "--held-out",
                        c.toString(),
                        "--out",
                        model.toString(),
                        "--epochs",
                        "2")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        assertTrue(train.waitFor(300, TimeUnit.SECONDS), "trained within 5 minutes");
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, train.exitValue(), output);
        assertTrue(output.contains("held out: 116 intervals"), output);
        assertTrue(model.length() > 0, output);
        assertEquals("attention-network", AttentionNetwork.load(model).name(), "a network, loadable");
    }
}

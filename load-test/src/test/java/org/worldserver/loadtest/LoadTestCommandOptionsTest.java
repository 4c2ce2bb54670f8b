package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadTestCommandOptionsTest {

    @Test
    void shouldTargetTheLocalNodeByDefault() {
        LoadTestCommand.Options o =
                LoadTestCommand.Options.parse(new String[] {"--scenario", "hotspot", "--out", "/tmp/x"});
        assertEquals(List.of(URI.create("http://127.0.0.1:7626")), o.targets());
    }

    @Test
    void shouldSpreadLoginsOverEveryNodeNamed() {
        LoadTestCommand.Options o = LoadTestCommand.Options.parse(new String[] {
            "--scenario", "hotspot", "--out", "/tmp/x", "--target", "http://127.0.0.1:7631, http://127.0.0.1:7632"
        });
        assertEquals(List.of(URI.create("http://127.0.0.1:7631"), URI.create("http://127.0.0.1:7632")), o.targets());
    }

    @Test
    void shouldRefuseAnEmptyTarget() {
        assertThrows(
                IllegalArgumentException.class,
                () -> LoadTestCommand.Options.parse(
                        new String[] {"--scenario", "hotspot", "--out", "/tmp/x", "--target", "http://a:1,,"}));
    }
}

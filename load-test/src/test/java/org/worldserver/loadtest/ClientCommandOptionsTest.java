package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClientCommandOptionsTest {

    @Test
    void shouldReadTheFlagsWithTheirDefaults() {
        ClientCommand.Options o = ClientCommand.Options.parse(new String[] {"--avatar", "ada"});
        assertEquals("ada", o.avatar());
        assertEquals(10, o.durationSeconds());
        assertTrue(o.move());
        assertEquals(URI.create("http://127.0.0.1:7626"), o.http());

        o = ClientCommand.Options.parse(new String[] {
            "--avatar", "bob", "--duration", "2.5", "--move", "still", "--http", "http://h:1", "--keys", "/tmp/k"
        });
        assertEquals(2.5, o.durationSeconds());
        assertFalse(o.move());
        assertEquals(URI.create("http://h:1"), o.http());
        assertEquals(Path.of("/tmp/k"), o.keys());
    }

    @Test
    void shouldRefuseBadArgumentsWithAClearMessage() {
        assertMessage("--avatar ID is required");
        assertMessage("--avatar needs a value", "--avatar");
        assertMessage("--duration must be a number of seconds, was soon", "--avatar", "a", "--duration", "soon");
        assertMessage("--duration must be 0 < seconds <= 86400, was -1.0", "--avatar", "a", "--duration", "-1");
        assertMessage("--move must be random or still, was dance", "--avatar", "a", "--move", "dance");
        assertMessage("unknown argument --fly", "--avatar", "a", "--fly", "yes");
    }

    private static void assertMessage(String message, String... args) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ClientCommand.Options.parse(args));
        assertEquals(message, e.getMessage());
    }
}

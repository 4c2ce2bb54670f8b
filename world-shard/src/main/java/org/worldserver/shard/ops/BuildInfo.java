package org.worldserver.shard.ops;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from {@code world-version.properties} (filled in by Maven). */
final class BuildInfo {

    private static final String VERSION = load();

    private BuildInfo() {}

    static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream("world-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

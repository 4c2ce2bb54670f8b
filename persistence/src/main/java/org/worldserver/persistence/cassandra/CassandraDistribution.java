package org.worldserver.persistence.cassandra;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Cassandra server's jars, fetched through Maven on first use.
 *
 * <p>Maven Central has no Cassandra server tarball, but it has {@code org.apache.cassandra:cassandra-all} and its
 * dependencies, which is all {@code CassandraDaemon} needs. This class writes a one-dependency pom into the
 * distribution folder and asks Maven for its runtime classpath; the jars stay in the local Maven repository
 * and the classpath is cached in {@code classpath.txt}. Concurrent resolutions (two launchers, two test JVMs)
 * are serialised by a file lock.
 */
final class CassandraDistribution {

    private static final String CLASSPATH_FILE = "classpath.txt";
    private static final long RESOLVE_TIMEOUT_MINUTES = 15;

    private final LocalCassandraSettings settings;

    CassandraDistribution(LocalCassandraSettings settings) {
        this.settings = settings;
    }

    /** The server's classpath, resolving it first if it is not cached or a cached jar has disappeared. */
    List<Path> classpath() throws IOException {
        Path dir = settings.distribution();
        Files.createDirectories(dir);
        try (FileChannel channel =
                        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            List<Path> cached = readCached(dir.resolve(CLASSPATH_FILE));
            if (!cached.isEmpty()) {
                return cached;
            }
            resolve(dir);
            List<Path> resolved = readCached(dir.resolve(CLASSPATH_FILE));
            if (resolved.isEmpty()) {
                throw new IOException("Maven resolved no usable classpath for cassandra-all " + settings.version());
            }
            return resolved;
        }
    }

    /** The jamm agent jar Cassandra needs for memory measurement ({@code -javaagent}). */
    static Path jammAgent(List<Path> classpath) throws IOException {
        return classpath.stream()
                .filter(p -> p.getFileName().toString().startsWith("jamm-"))
                .findFirst()
                .orElseThrow(() -> new IOException("No jamm jar on the Cassandra classpath"));
    }

    private static List<Path> readCached(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : text.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!Files.isRegularFile(jar)) {
                return List.of();
            }
            jars.add(jar);
        }
        return jars;
    }

    private void resolve(Path dir) throws IOException {
        Files.writeString(dir.resolve("pom.xml"), pom(), StandardCharsets.UTF_8);
        Path log = dir.resolve("resolve.log");
        List<String> command = new ArrayList<>(Arrays.asList(
                settings.maven(),
                "-B",
                "-f",
                dir.resolve("pom.xml").toString(),
                "dependency:build-classpath",
                "-Dmdep.includeScope=runtime",
                "-Dmdep.outputFile=" + dir.resolve(CLASSPATH_FILE)));
        if (settings.mavenRepository() != null) {
            command.add("-Dmaven.repo.local=" + settings.mavenRepository());
        }
        Process maven = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!maven.waitFor(RESOLVE_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                maven.destroyForcibly();
                throw new IOException("Maven did not resolve cassandra-all within " + RESOLVE_TIMEOUT_MINUTES
                        + " minutes; see " + log);
            }
        } catch (InterruptedException e) {
            maven.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while resolving cassandra-all", e);
        }
        if (maven.exitValue() != 0) {
            throw new IOException("Maven failed (exit " + maven.exitValue()
                    + ") to resolve org.apache.cassandra:cassandra-all:" + settings.version() + "; see " + log);
        }
    }

    private String pom() {
        return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <!-- Written by the world server's LocalCassandra launcher: the Cassandra server to run locally. -->
          <modelVersion>4.0.0</modelVersion>
          <groupId>org.worldserver.local</groupId>
          <artifactId>cassandra-server</artifactId>
          <version>%s</version>
          <packaging>pom</packaging>
          <dependencies>
            <dependency>
              <groupId>org.apache.cassandra</groupId>
              <artifactId>cassandra-all</artifactId>
              <version>%s</version>
            </dependency>
          </dependencies>
          <build>
            <plugins>
              <plugin>
                <groupId>org.apache.maven.plugins</groupId>
                <artifactId>maven-dependency-plugin</artifactId>
                <version>%s</version>
              </plugin>
            </plugins>
          </build>
        </project>
        """.formatted(settings.version(), settings.version(), LocalCassandraSettings.DEPENDENCY_PLUGIN_VERSION);
    }
}

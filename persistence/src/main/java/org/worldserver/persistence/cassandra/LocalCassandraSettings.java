package org.worldserver.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Where and how the project-managed local Cassandra runs. Build with {@link #builder(Path, Path)}.
 *
 * @param home the node's own folder: generated {@code conf/}, {@code data/}, {@code logs/} and the pid file. One
 *     Cassandra per home.
 * @param distribution folder that caches the resolved server classpath for {@code version} (shared by homes)
 * @param version Cassandra server version, resolved as {@code org.apache.cassandra:cassandra-all}
 * @param host loopback address Cassandra listens on, for clients and for its own storage traffic
 * @param nativePort CQL port clients connect to
 * @param storagePort inter-node port; must differ between Cassandras on one host
 * @param maxHeap maximum heap, a JVM size such as {@code 512M}; the initial heap is half of it (at least 64 MB)
 * @param startTimeout how long {@link LocalCassandra#start()} waits for the CQL port before giving up
 * @param stopTimeout how long {@link LocalCassandra#stop()} waits after SIGTERM before SIGKILL
 * @param durableWrites false skips fsync of the commit log (tests only: a machine crash then loses recent writes)
 * @param maven the {@code mvn} executable used to resolve the server jars
 * @param mavenRepository local Maven repository to resolve into, or null for Maven's default
 */
public record LocalCassandraSettings(
        Path home,
        Path distribution,
        String version,
        String host,
        int nativePort,
        int storagePort,
        String maxHeap,
        Duration startTimeout,
        Duration stopTimeout,
        boolean durableWrites,
        String maven,
        Path mavenRepository) {

    private static final Properties RELEASE = loadRelease();

    /** The Cassandra version the build pins ({@code cassandra.server.version} in the root pom). */
    public static final String DEFAULT_VERSION = RELEASE.getProperty("version");

    /** The maven-dependency-plugin version the build pins; the launcher resolves the server with it. */
    static final String DEPENDENCY_PLUGIN_VERSION = RELEASE.getProperty("dependency-plugin-version");

    public static final int DEFAULT_NATIVE_PORT = 9042;
    public static final int DEFAULT_STORAGE_PORT = 7000;

    public LocalCassandraSettings {
        home = home.toAbsolutePath().normalize();
        distribution = distribution.toAbsolutePath().normalize();
        if (nativePort == storagePort) {
            throw new IllegalArgumentException("native and storage ports must differ, both are " + nativePort);
        }
        if (!maxHeap.matches("[0-9]+[MmGg]")) {
            throw new IllegalArgumentException("heap must look like 512M or 1G, got " + maxHeap);
        }
    }

    /**
     * Defaults for a Cassandra whose state lives under {@code home}: loopback, ports 9042/7000, 512 MB heap,
     * durable writes, 180 s to start, 60 s to stop, the build's version cached under {@code cacheRoot/cassandra/}.
     */
    public static Builder builder(Path home, Path cacheRoot) {
        return new Builder(home, cacheRoot);
    }

    /** host:port for CQL clients. */
    public String contactPoint() {
        return host + ":" + nativePort;
    }

    /** Collects settings; every setter returns this. */
    public static final class Builder {
        private final Path home;
        private final Path cacheRoot;
        private String version = DEFAULT_VERSION;
        private String host = "127.0.0.1";
        private int nativePort = DEFAULT_NATIVE_PORT;
        private int storagePort = DEFAULT_STORAGE_PORT;
        private String maxHeap = "512M";
        private Duration startTimeout = Duration.ofSeconds(180);
        private Duration stopTimeout = Duration.ofSeconds(60);
        private boolean durableWrites = true;
        private String maven = "mvn";
        private Path mavenRepository;

        private Builder(Path home, Path cacheRoot) {
            this.home = home;
            this.cacheRoot = cacheRoot;
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Builder host(String h) {
            this.host = h;
            return this;
        }

        public Builder nativePort(int port) {
            this.nativePort = port;
            return this;
        }

        public Builder storagePort(int port) {
            this.storagePort = port;
            return this;
        }

        public Builder maxHeap(String heap) {
            this.maxHeap = heap;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        public Builder durableWrites(boolean durable) {
            this.durableWrites = durable;
            return this;
        }

        /** @param repository the local repository, or null for Maven's default */
        public Builder maven(String executable, Path repository) {
            this.maven = executable;
            this.mavenRepository = repository;
            return this;
        }

        public LocalCassandraSettings build() {
            return new LocalCassandraSettings(
                    home,
                    cacheRoot.resolve("cassandra").resolve(version),
                    version,
                    host,
                    nativePort,
                    storagePort,
                    maxHeap,
                    startTimeout,
                    stopTimeout,
                    durableWrites,
                    maven,
                    mavenRepository);
        }
    }

    private static Properties loadRelease() {
        try (InputStream in =
                LocalCassandraSettings.class.getClassLoader().getResourceAsStream("world-cassandra.properties")) {
            if (in == null) {
                throw new IllegalStateException("world-cassandra.properties is missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

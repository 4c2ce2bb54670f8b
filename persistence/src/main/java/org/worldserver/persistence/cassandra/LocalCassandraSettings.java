package org.worldserver.persistence.cassandra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the project-managed local Cassandra runs.
 *
 * @param home the node's own folder: generated {@code conf/}, {@code data/}, {@code commitlog/}, {@code logs/}
 *     and the pid file. One Cassandra per home.
 * @param distribution folder that caches the resolved server classpath for {@code version} (shared by homes)
 * @param version Cassandra server version, resolved as {@code org.apache.cassandra:cassandra-all}
 * @param host loopback address Cassandra listens on, for clients and for its own storage traffic
 * @param nativePort CQL port clients connect to
 * @param storagePort inter-node port; must differ between Cassandras on one host
 * @param maxHeap maximum heap, a JVM size such as {@code 512M}; the initial heap is half of it
 * @param startTimeout how long {@link LocalCassandra#start()} waits for the CQL port before giving up
 * @param stopTimeout how long {@link LocalCassandra#stop()} waits after SIGTERM before SIGKILL
 * @param durableWrites false skips fsync of the commit log (tests only: a crash then loses recent writes)
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

    public static final String DEFAULT_VERSION = "5.0.9";
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
     * Defaults for a node whose state lives under {@code home}: loopback, ports 9042/7000, 512 MB heap, durable
     * writes, the server jars cached under {@code cacheRoot/cassandra/VERSION}.
     */
    public static LocalCassandraSettings defaults(Path home, Path cacheRoot) {
        return new LocalCassandraSettings(
                home,
                cacheRoot.resolve("cassandra").resolve(DEFAULT_VERSION),
                DEFAULT_VERSION,
                "127.0.0.1",
                DEFAULT_NATIVE_PORT,
                DEFAULT_STORAGE_PORT,
                "512M",
                Duration.ofSeconds(180),
                Duration.ofSeconds(60),
                true,
                "mvn",
                null);
    }

    public LocalCassandraSettings withPorts(int nativePort, int storagePort) {
        return new LocalCassandraSettings(
                home,
                distribution,
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

    public LocalCassandraSettings withHost(String newHost) {
        return new LocalCassandraSettings(
                home,
                distribution,
                version,
                newHost,
                nativePort,
                storagePort,
                maxHeap,
                startTimeout,
                stopTimeout,
                durableWrites,
                maven,
                mavenRepository);
    }

    public LocalCassandraSettings withMaxHeap(String heap) {
        return new LocalCassandraSettings(
                home,
                distribution,
                version,
                host,
                nativePort,
                storagePort,
                heap,
                startTimeout,
                stopTimeout,
                durableWrites,
                maven,
                mavenRepository);
    }

    public LocalCassandraSettings withDurableWrites(boolean durable) {
        return new LocalCassandraSettings(
                home,
                distribution,
                version,
                host,
                nativePort,
                storagePort,
                maxHeap,
                startTimeout,
                stopTimeout,
                durable,
                maven,
                mavenRepository);
    }

    public LocalCassandraSettings withMaven(String mvn, Path repository) {
        return new LocalCassandraSettings(
                home,
                distribution,
                version,
                host,
                nativePort,
                storagePort,
                maxHeap,
                startTimeout,
                stopTimeout,
                durableWrites,
                mvn,
                repository);
    }

    public LocalCassandraSettings withVersion(String newVersion, Path cacheRoot) {
        return new LocalCassandraSettings(
                home,
                cacheRoot.resolve("cassandra").resolve(newVersion),
                newVersion,
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

    public LocalCassandraSettings withStartTimeout(Duration timeout) {
        return new LocalCassandraSettings(
                home,
                distribution,
                version,
                host,
                nativePort,
                storagePort,
                maxHeap,
                timeout,
                stopTimeout,
                durableWrites,
                maven,
                mavenRepository);
    }

    /** host:port for CQL clients. */
    public String contactPoint() {
        return host + ":" + nativePort;
    }
}

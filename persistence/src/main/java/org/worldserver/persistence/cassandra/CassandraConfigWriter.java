package org.worldserver.persistence.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a home's {@code conf/cassandra.yaml} and {@code conf/logback.xml} from the settings, on every start,
 * so a changed port or address takes effect; data folders are created once and never touched again.
 *
 * <p>The configuration is a single loopback node: one token, SimpleSnitch (data centre {@code datacenter1}),
 * no authentication, small thread pools for a 2-core machine.
 */
final class CassandraConfigWriter {

    /** The folders and files of a home. */
    record Layout(Path yaml, Path logback, Path storage, Path logs) {}

    private final LocalCassandraSettings settings;

    CassandraConfigWriter(LocalCassandraSettings settings) {
        this.settings = settings;
    }

    Layout write() throws IOException {
        Path home = settings.home();
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path storage = Files.createDirectories(home.resolve("data"));
        Path logs = Files.createDirectories(home.resolve("logs"));
        for (String dir : new String[] {"data", "commitlog", "hints", "saved_caches", "cdc_raw"}) {
            Files.createDirectories(storage.resolve(dir));
        }
        Path yaml = conf.resolve("cassandra.yaml");
        Path logback = conf.resolve("logback.xml");
        Files.writeString(yaml, yaml(storage), StandardCharsets.UTF_8);
        Files.writeString(logback, logback(logs), StandardCharsets.UTF_8);
        return new Layout(yaml, logback, storage, logs);
    }

    private String yaml(Path storage) {
        String host = settings.host();
        return """
        # Written by the world server's LocalCassandra launcher on every start; edit the launcher's flags instead.
        cluster_name: 'world-local'
        num_tokens: 1
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        auto_bootstrap: false
        authenticator: AllowAllAuthenticator
        authorizer: AllowAllAuthorizer

        listen_address: %1$s
        rpc_address: %1$s
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "%1$s:%2$d"

        data_file_directories:
          - %4$s
        commitlog_directory: %5$s
        hints_directory: %6$s
        saved_caches_directory: %7$s
        cdc_raw_directory: %8$s

        commitlog_sync: periodic
        commitlog_sync_period: 10000ms
        disk_failure_policy: stop
        commit_failure_policy: stop

        # Sized for a 2-core machine that also runs the world server.
        concurrent_reads: 8
        concurrent_writes: 8
        concurrent_counter_writes: 4
        concurrent_compactors: 1
        concurrent_materialized_view_writes: 4
        # pekko-persistence-cassandra writes tagged events in unlogged batches.
        batch_size_warn_threshold: 64KiB
        batch_size_fail_threshold: 640KiB
        """.formatted(
                        host,
                        settings.storagePort(),
                        settings.nativePort(),
                        storage.resolve("data"),
                        storage.resolve("commitlog"),
                        storage.resolve("hints"),
                        storage.resolve("saved_caches"),
                        storage.resolve("cdc_raw"));
    }

    private static String logback(Path logs) {
        return """
        <configuration scan="false">
          <!-- Written by the world server's LocalCassandra launcher. -->
          <appender name="FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
            <file>%1$s/system.log</file>
            <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
              <fileNamePattern>%1$s/system.log.%%i.zip</fileNamePattern>
              <minIndex>1</minIndex>
              <maxIndex>5</maxIndex>
            </rollingPolicy>
            <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
              <maxFileSize>20MB</maxFileSize>
            </triggeringPolicy>
            <encoder>
              <pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern>
            </encoder>
          </appender>
          <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
            <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
              <level>WARN</level>
            </filter>
            <encoder>
              <pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern>
            </encoder>
          </appender>
          <root level="INFO">
            <appender-ref ref="FILE"/>
            <appender-ref ref="STDOUT"/>
          </root>
        </configuration>
        """.formatted(logs);
    }
}

package org.worldserver.persistence.cassandra;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Command line of the project-managed Cassandra, behind {@code bin/world cassandra ...}.
 *
 * <pre>
 * start    start and wait until CQL accepts connections (exit 0; also when it already runs)
 * stop     stop it (SIGTERM, then SIGKILL after the stop timeout); exit 0 also when it was not running
 * status   exit 0 and the pid when running, 3 when stopped (a stale pid file is reported)
 * log      print the last lines of its log
 *
 * --dir DIR            the node's home (conf, data, logs, pid file)             required
 * --cache DIR          where resolved distributions are cached                  default DIR/../.cache
 * --host ADDR          loopback address to listen on                            default 127.0.0.1
 * --port N             CQL port                                                 default 9042
 * --storage-port N     inter-node port                                          default 7000
 * --heap SIZE          maximum heap, e.g. 512M                                  default 512M
 * --version V          Cassandra version (org.apache.cassandra:cassandra-all)   default: the build's
 * --mvn PATH           Maven executable used to fetch the server                default mvn
 * </pre>
 */
public final class LocalCassandraCommand {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_NOT_RUNNING = 3;
    static final int EXIT_USAGE = 64;

    private LocalCassandraCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: cassandra start|stop|status|log --dir DIR [--port N] [--storage-port N] [--host ADDR]"
                    + " [--heap SIZE] [--version V] [--cache DIR] [--mvn PATH]");
            return EXIT_USAGE;
        }
        LocalCassandraSettings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("cassandra: " + e.getMessage());
            return EXIT_USAGE;
        }
        LocalCassandra cassandra = new LocalCassandra(settings);
        try {
            return switch (args[0]) {
                case "start" -> start(cassandra, out, err);
                case "stop" -> {
                    boolean stopped = cassandra.stop();
                    out.println(
                            stopped
                                    ? "Cassandra stopped (" + settings.home() + ")"
                                    : "Cassandra was not running (" + settings.home() + ")");
                    yield EXIT_OK;
                }
                case "status" -> status(cassandra, out);
                case "log" -> {
                    out.println(cassandra.logTail());
                    yield EXIT_OK;
                }
                default -> {
                    err.println("cassandra: unknown command " + args[0]);
                    yield EXIT_USAGE;
                }
            };
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("cassandra: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    private static int start(LocalCassandra cassandra, PrintStream out, PrintStream err) throws IOException {
        LocalCassandraSettings s = cassandra.settings();
        LocalCassandra.Status before = cassandra.status();
        if (before.state() == LocalCassandra.State.RUNNING) {
            out.println("Cassandra already running at " + s.contactPoint() + " (pid " + before.pid() + ", " + s.home()
                    + ")");
            return EXIT_OK;
        }
        if (before.state() == LocalCassandra.State.STALE) {
            out.println("Removing stale pid file (pid " + before.pid() + " is not this home's Cassandra)");
        }
        out.println("Starting Cassandra " + s.version() + " at " + s.contactPoint() + " (home " + s.home() + ") ...");
        long started = System.nanoTime();
        long pid = cassandra.start();
        out.printf(
                "Cassandra ready at %s (pid %d) in %.1f s; log: %s%n",
                s.contactPoint(),
                pid,
                (System.nanoTime() - started) / 1e9,
                s.home().resolve("logs/system.log"));
        return EXIT_OK;
    }

    private static int status(LocalCassandra cassandra, PrintStream out) {
        LocalCassandraSettings s = cassandra.settings();
        LocalCassandra.Status status = cassandra.status();
        switch (status.state()) {
            case RUNNING -> {
                out.println("running: pid " + status.pid() + ", CQL at " + s.contactPoint()
                        + (cassandra.acceptsConnections()
                                ? " (accepting connections)"
                                : " (not accepting connections yet)"));
                return EXIT_OK;
            }
            case STALE -> {
                out.println(
                        "stopped: stale pid file names pid " + status.pid() + ", which is not this home's Cassandra");
                return EXIT_NOT_RUNNING;
            }
            default -> {
                out.println("stopped");
                return EXIT_NOT_RUNNING;
            }
        }
    }

    private static LocalCassandraSettings parse(String[] args) {
        Path home = null;
        Path cache = null;
        String host = null;
        Integer port = null;
        Integer storagePort = null;
        String heap = null;
        String version = null;
        String mvn = null;
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--dir" -> home = Path.of(value);
                case "--cache" -> cache = Path.of(value);
                case "--host" -> host = value;
                case "--port" -> port = parsePort(flag, value);
                case "--storage-port" -> storagePort = parsePort(flag, value);
                case "--heap" -> heap = value;
                case "--version" -> version = value;
                case "--mvn" -> mvn = value;
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        if (home == null) {
            throw new IllegalArgumentException("--dir is required");
        }
        Path cacheRoot =
                cache != null ? cache : home.toAbsolutePath().getParent().resolve(".cache");
        LocalCassandraSettings.Builder b = LocalCassandraSettings.builder(home, cacheRoot);
        if (version != null) {
            b.version(version);
        }
        if (host != null) {
            b.host(host);
        }
        if (port != null) {
            b.nativePort(port);
        }
        if (storagePort != null) {
            b.storagePort(storagePort);
        }
        if (heap != null) {
            b.maxHeap(heap);
        }
        if (mvn != null) {
            b.maven(mvn, null);
        }
        return b.build();
    }

    private static int parsePort(String flag, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a port number (1-65535), got " + value);
        }
    }
}

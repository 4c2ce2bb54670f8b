package org.worldserver.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The project-managed Cassandra: one server JVM per {@link LocalCassandraSettings#home() home}, started,
 * awaited, inspected and stopped by this class, also across processes (the pid file in the home is the
 * handle).
 *
 * <pre>
 *  start():  status ── RUNNING ──────────────────────────────▶ AlreadyRunning
 *              │ STALE (pid file, no such Cassandra) → delete pid file
 *              ▼
 *            ports free? ─ no ─▶ error naming the port
 *              ▼
 *            resolve jars (Maven, cached) → write conf/ → spawn JVM (own session) → write pid file
 *              ▼
 *            poll: process alive? CQL port accepts? ── died ──▶ error with the log's last lines
 *              ▼ ready                                  └ timeout ▶ kill, error
 *  stop():   SIGTERM → wait stopTimeout → SIGKILL → delete pid file
 * </pre>
 *
 * Not thread-safe: one caller at a time per home. Data left by a crashed run stays; Cassandra replays its
 * commit log on the next start.
 */
public final class LocalCassandra {

    /** What the pid file says about the home. */
    public enum State {
        /** The pid file names a live Cassandra of this home. */
        RUNNING,
        /** No pid file. */
        STOPPED,
        /** A pid file whose process is gone or is not this home's Cassandra (e.g. after a crash or reboot). */
        STALE
    }

    /** A snapshot of the home's state and, when running, the server's pid. */
    public record Status(State state, long pid) {}

    /** {@link #start()} found this home's Cassandra already running. */
    public static final class AlreadyRunningException extends IOException {
        private final long pid;

        AlreadyRunningException(long pid, Path home) {
            super("Cassandra for " + home + " is already running (pid " + pid + ")");
            this.pid = pid;
        }

        public long pid() {
            return pid;
        }
    }

    private static final String DAEMON_CLASS = "org.apache.cassandra.service.CassandraDaemon";
    private static final String HOME_MARKER = "-Dworld.cassandra.home=";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 40;

    private final LocalCassandraSettings settings;
    private final Path pidFile;

    public LocalCassandra(LocalCassandraSettings settings) {
        this.settings = settings;
        this.pidFile = settings.home().resolve("cassandra.pid");
    }

    public LocalCassandraSettings settings() {
        return settings;
    }

    /** Reads the pid file and checks that its process is this home's Cassandra. Never changes anything. */
    public Status status() {
        Optional<Long> pid = readPid();
        if (pid.isEmpty()) {
            return new Status(State.STOPPED, -1);
        }
        return isOurCassandra(pid.get()) ? new Status(State.RUNNING, pid.get()) : new Status(State.STALE, pid.get());
    }

    /**
     * Starts Cassandra and returns once its CQL port accepts connections.
     *
     * @return the server's pid
     * @throws AlreadyRunningException if this home's Cassandra already runs
     * @throws IOException if a port is taken, the jars cannot be resolved, the server dies during start-up or
     *     is not ready within the start timeout (it is then killed); the message carries the log's last lines
     */
    public long start() throws IOException {
        Status status = status();
        if (status.state() == State.RUNNING) {
            throw new AlreadyRunningException(status.pid(), settings.home());
        }
        if (status.state() == State.STALE) {
            Files.deleteIfExists(pidFile);
        }
        requirePortFree(settings.nativePort(), "CQL (native transport)");
        requirePortFree(settings.storagePort(), "storage");

        List<Path> classpath = new CassandraDistribution(settings).classpath();
        CassandraConfigWriter.Layout layout = new CassandraConfigWriter(settings).write();

        List<String> command = command(classpath, layout);
        Path consoleLog = layout.logs().resolve("console.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(settings.home().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()));
        Process process = builder.start();
        writePid(process.pid());
        awaitReady(process, layout);
        return process.pid();
    }

    /**
     * Stops this home's Cassandra: SIGTERM, then SIGKILL if it has not exited within the stop timeout. Removes
     * the pid file, also a stale one.
     *
     * @return true if a running Cassandra was stopped, false if none was running
     */
    public boolean stop() throws IOException {
        Status status = status();
        if (status.state() != State.RUNNING) {
            Files.deleteIfExists(pidFile);
            return false;
        }
        ProcessHandle handle = ProcessHandle.of(status.pid()).orElse(null);
        if (handle != null) {
            terminate(handle, settings.stopTimeout());
        }
        Files.deleteIfExists(pidFile);
        return true;
    }

    /** True if the CQL port accepts a TCP connection now. */
    public boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(settings.host(), settings.nativePort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of Cassandra's own log, for error messages and {@code status}. */
    public String logTail() {
        Path log = settings.home().resolve("logs").resolve("system.log");
        Path console = settings.home().resolve("logs").resolve("console.log");
        return tail(Files.exists(log) ? log : console);
    }

    private List<String> command(List<Path> classpath, CassandraConfigWriter.Layout layout) throws IOException {
        String javaExecutable =
                Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String maxHeap = settings.maxHeap();
        long maxMegabytes = Long.parseLong(maxHeap.substring(0, maxHeap.length() - 1))
                * (Character.toUpperCase(maxHeap.charAt(maxHeap.length() - 1)) == 'G' ? 1024 : 1);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Own session: Ctrl-C in the terminal that ran `bin/world start` must not reach Cassandra directly;
            // the launcher stops it in order, after the node.
            command.add("/usr/bin/setsid");
        }
        command.add(javaExecutable);
        command.add(HOME_MARKER + settings.home());
        command.add("-Xms" + Math.max(64, maxMegabytes / 2) + "M");
        command.add("-Xmx" + maxHeap);
        command.add("-Xss256k");
        command.addAll(CassandraJvmOptions.JDK17);
        command.add("-javaagent:" + CassandraDistribution.jammAgent(classpath));
        command.add("-Dcassandra.config=" + layout.yaml().toUri());
        command.add("-Dcassandra.storagedir=" + layout.storage());
        command.add("-Dcassandra.logdir=" + layout.logs());
        command.add("-Dlogback.configurationFile=" + layout.logback());
        command.add("-Dcassandra-foreground=yes");
        // One node on loopback: nobody to gossip with, no ring to wait for.
        command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        command.add("-Dcassandra.ring_delay_ms=0");
        command.add("-Dcassandra.superuser_setup_delay_ms=0");
        if (!settings.durableWrites()) {
            command.add("-Dcassandra.skip_sync=true");
        }
        command.add("-cp");
        command.add(String.join(
                java.io.File.pathSeparator,
                classpath.stream().map(Path::toString).toList()));
        command.add(DAEMON_CLASS);
        return command;
    }

    private void awaitReady(Process process, CassandraConfigWriter.Layout layout) throws IOException {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (true) {
            if (!process.isAlive()) {
                Files.deleteIfExists(pidFile);
                throw new IOException("Cassandra exited with code " + process.exitValue()
                        + " during start-up. Last lines of " + layout.logs() + ":\n" + logTail());
            }
            if (acceptsConnections() && process.isAlive()) {
                // Alive after the port answered: the listener is this server, not one that died meanwhile.
                return;
            }
            if (System.nanoTime() > deadline) {
                terminate(process.toHandle(), Duration.ofSeconds(10));
                Files.deleteIfExists(pidFile);
                throw new IOException("Cassandra did not open its CQL port " + settings.contactPoint() + " within "
                        + settings.startTimeout().toSeconds() + " s and was stopped. Last lines of " + layout.logs()
                        + ":\n"
                        + logTail());
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** SIGTERM, then SIGKILL after {@code timeout}; returns once the process has exited. */
    private static void terminate(ProcessHandle handle, Duration timeout) throws IOException {
        handle.destroy();
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException stillAlive) {
                throw new IOException("Cassandra (pid " + handle.pid() + ") did not exit even after SIGKILL");
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while stopping Cassandra (pid " + handle.pid() + ")", interrupted);
            }
        } catch (ExecutionException e) {
            throw new IOException("Could not wait for Cassandra (pid " + handle.pid() + ") to exit", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while stopping Cassandra (pid " + handle.pid() + ")", e);
        }
    }

    /**
     * True if {@code pid} is alive and runs {@value #DAEMON_CLASS} with this home's marker. Reads
     * {@code /proc/PID/cmdline}: the JDK's {@code ProcessHandle.Info} drops the arguments of command lines
     * longer than a page, and Cassandra's is about 11 KB.
     */
    private boolean isOurCassandra(long pid) {
        if (pid <= 0 || ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
            return false;
        }
        List<String> args;
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        if (Files.exists(cmdline)) {
            try {
                args = List.of(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0"));
            } catch (IOException e) {
                return false;
            }
        } else {
            // No procfs (not Linux): the JDK's view, complete where the platform reports whole command lines.
            args = ProcessHandle.of(pid)
                    .flatMap(h -> h.info().arguments())
                    .map(List::of)
                    .orElse(List.of());
        }
        return args.contains(DAEMON_CLASS) && args.contains(HOME_MARKER + settings.home());
    }

    private Optional<Long> readPid() {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
            return text.matches("[0-9]{1,10}") ? Optional.of(Long.parseLong(text)) : Optional.of(-1L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writePid(long pid) throws IOException {
        Path tmp = pidFile.resolveSibling("cassandra.pid.tmp");
        Files.writeString(tmp, Long.toString(pid), StandardCharsets.US_ASCII);
        Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void requirePortFree(int port, String what) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(settings.host(), port));
        } catch (IOException e) {
            throw new IOException(
                    "Cannot start Cassandra: its " + what + " port " + settings.host() + ":" + port
                            + " is already in use by another process. Choose other ports or stop that process.",
                    e);
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no log yet at " + file + ")";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for Cassandra", e);
        }
    }
}

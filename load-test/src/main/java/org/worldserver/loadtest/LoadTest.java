package org.worldserver.loadtest;

import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.protocol.client.ClientSettings;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;
import org.worldserver.protocol.sbe.DenyReason;
import org.worldserver.protocol.sbe.ResponseStatus;

/**
 * Runs a {@link Scenario}: bots arrive at the scenario's rate (an open model: a bot is started on schedule however
 * the server copes), each a {@link WorldClient} on one shared Aeron client, all polled by the calling thread (no
 * thread per bot); sign-ups and logins are asynchronous HTTP calls, so they never stall the polling and arrivals
 * never wait for a free login thread. After the ramp and the steady phase every bot disconnects. Churning bots end
 * sessions and log in again (a new client each time, swapped in on the polling thread) or teleport through the
 * SDK's requests.
 *
 * <p><b>Latency</b> is input → observed by another bot: every input turns the bot's focus by 37° (so the last 16
 * are at least 10° apart), the server sends the new facing to the bots that see it, and an observer that sees a
 * bot's rotation change finds the input that set it among that bot's last 16 and records now − its send time
 * (same process, same clock). Recorded with coordinated-omission correction at the input interval.
 *
 * <p><b>Capacity search</b> (with an {@link Slo}): bots keep arriving at the scenario's rate up to its population,
 * and every {@link #WINDOW_SECONDS} s the window is judged against the objective (not those that end within the
 * scenario's warm-up, while the node's and the harness's code is still being compiled and the caches filled); the
 * run ends at the first window that breaks it, and the population at the end of the last window that held is the
 * capacity. Ramp slowly (a low arrival rate) for a fine-grained answer: each window adds {@code arrival-rate × 5}
 * bots.
 *
 * <p>Not thread-safe: one run per instance, on the calling thread.
 */
public final class LoadTest {

    /**
     * What the run measured; times in seconds, rates per second. {@code connectTimeouts}: handshakes the server never
     * answered (each attempt); {@code denied}: bots refused on their last attempt; {@code deniedBy}: every refusal
     * and timeout by reason, retried ones included; {@code loginRetries}: sign-ups and logins tried again after a
     * busy answer; {@code handoffs}: sessions that moved to another node's gateway on its Redirect ({@code
     * handoffsFailed}: that went back, refused or unanswered).
     */
    public record Result(
            Scenario scenario,
            int avatarsPeak,
            double durationSeconds,
            LatencyRecorder latency,
            long observations,
            double snapshotsPerSecondPerClient,
            double lossRatio,
            double bytesPerClientSecond,
            int started,
            int connectTimeouts,
            int denied,
            int lost,
            int loginFailures,
            List<Sample> timeline,
            int avatarsAtSlo,
            String sloBreach,
            Churned churned,
            Histogram loginMillis,
            double datagramsPerClientSecond,
            int loginRetries,
            Map<String, Integer> deniedBy,
            long handoffs,
            long handoffsFailed) {}

    /**
     * What the churning bots did: sessions opened in all (first logins and logins again), sessions a login-churn
     * bot ended, teleports asked for and how they were answered.
     */
    public record Churned(
            int sessions, int logouts, int teleports, int teleportsDone, int teleportsRefused, int teleportsFailed) {}

    /**
     * One second of the run: the bots connected at its end, the latencies observed in it (corrected, ms), what
     * all bots received in it, and the sessions handed off to another node's gateway in it (a shard's move shows
     * as a burst of these).
     */
    public record Sample(
            double seconds,
            int connected,
            double latencyP50,
            double latencyP99,
            double latencyMax,
            double bytesPerSecond,
            double snapshotsPerSecond,
            long handoffs) {}

    private static final double TURN_DEGREES = 37;
    private static final int HISTORY = 16;
    private static final double MATCH_DEGREES = 1.0;
    /** Tries of a sign-up or login the node answers busy (503) or not at all, before it counts as failed. */
    private static final int LOGIN_ATTEMPTS = 5;
    /** The polling thread's pass over all bots takes at least this long, ns. */
    private static final long PASS_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How a handshake the server never answered (the SDK's handshake timeout) is counted among denials. */
    private static final String HANDSHAKE_TIMEOUT = "HANDSHAKE_TIMEOUT";
    /** Seconds per window the capacity search judges. */
    static final int WINDOW_SECONDS = 5;

    private final Scenario scenario;
    /** The nodes bots log in through: bot {@code i} through {@code logins[i mod n]}, as a load balancer would. */
    private final List<LoginClient> logins;

    private final ClientAeron aeron;
    private final String prefix;
    private final Random random = new Random();
    private final SecureRandom nonces = new SecureRandom();
    private final LatencyRecorder latency;
    private final Int2ObjectHashMap<Bot> byEntity = new Int2ObjectHashMap<>();
    private final List<Bot> bots = new ArrayList<>();
    /** Logins finished on the HTTP client's threads: the bot and its new client, for the polling thread. */
    private final ConcurrentLinkedQueue<Arrival> loggedIn = new ConcurrentLinkedQueue<>();
    /** Time from a bot's start (or its login again) to its session accepted, ms. */
    private final Histogram loginMillis = new Histogram(60_000, 3);

    private final AtomicInteger loginFailures = new AtomicInteger();
    private final AtomicInteger loginRetries = new AtomicInteger();
    private long observations;
    private int started;
    private int sessions;
    private int logouts;
    private int teleports;
    private int teleportsDone;
    private int teleportsRefused;
    private int teleportsFailed;
    /** Every denial (a handshake that timed out is HANDSHAKE_TIMEOUT), retried ones included. */
    private final Map<String, Integer> deniedBy = new TreeMap<>();

    private final List<Sample> timeline = new ArrayList<>();
    private long lastBytes;
    private long lastSnapshots;
    private long lastHandoffs;
    private final Slo slo;
    private Histogram window = new Histogram(LatencyRecorder.MAX_MICROS, 3);
    private long windowSnapshots;
    private long windowSpanned;
    private double windowClientSeconds;
    private int windowSeconds;
    private long lastSpanned;
    private int tickHz;
    private int avatarsAtSlo;
    private String sloBreach;
    private int windowsEnded;

    /** A bot logged in (again), with the client of its new session. */
    private record Arrival(Bot bot, WorldClient client) {}

    /**
     * One bot: its client (a new one per session), what it does, the inputs it sent (for latency), what it saw of
     * the others, and what its ended sessions received. Used on the polling thread only, except {@link #seed}
     * (written on the HTTP client's threads, handed over through {@link #loggedIn}).
     */
    private final class Bot implements Listener {
        final int index;
        final String id;
        final Behaviour behaviour;
        byte[] seed;
        boolean listed;
        WorldClient client;
        /** When the bot started logging in for its current session (its first, or again); 0: at the next login. */
        long startedNanos;
        /** Logins tried for the current session (a denied or timed-out handshake is tried again). */
        int attempts = 1;

        boolean denialSeen;
        /** Sent to its group's place (it stays where it left when it logs in again). */
        boolean scattered;
        /** When its current session was accepted; 0 while there is none. */
        long connectedNanos;

        long sessionEndsNanos;
        long loginAgainNanos;
        long nextTeleportNanos;
        double connectedSecondsBefore;
        long bytesBefore;
        long datagramsBefore;
        long spannedBefore;
        long nextInputNanos;
        long nextTurnNanos;
        float intentX;
        float intentZ;
        int inputs;
        final double yawBase = random.nextDouble() * 360;
        final double[] sentYaw = new double[HISTORY];
        final long[] sentNanos = new long[HISTORY];
        final int[] sentSequence = new int[HISTORY];
        final Int2IntHashMap lastRotation = new Int2IntHashMap(Integer.MIN_VALUE);
        final Int2IntHashMap lastMatched = new Int2IntHashMap(0);
        final float[] quaternion = new float[4];
        int firstSnapshot;
        int lastSnapshot;
        long snapshots;
        long handoffs;
        long handoffsFailed;

        Bot(int index, String id, Behaviour behaviour) {
            this.index = index;
            this.id = id;
            this.behaviour = behaviour;
        }

        /** Snapshot numbers the bot's sessions spanned: what it would have received without loss. */
        long spanned() {
            return spannedBefore + (firstSnapshot == 0 ? 0 : lastSnapshot - firstSnapshot + 1);
        }

        long bytes() {
            return bytesBefore + client.bytesReceived();
        }

        long datagrams() {
            return datagramsBefore + client.datagramsReceived();
        }

        /** A new session: snapshot numbers and input sequences start again (old inputs must not match). */
        void newSession(WorldClient next) {
            client = next;
            denialSeen = false;
            firstSnapshot = 0;
            lastSnapshot = 0;
            Arrays.fill(sentSequence, 0);
        }

        /** Ends the session (a login-churn bot's time is up): what it received is kept, the client closed. */
        void leave(long now) {
            connectedSecondsBefore += (now - connectedNanos) / 1e9;
            spannedBefore = spanned();
            firstSnapshot = 0;
            bytesBefore += client.bytesReceived();
            datagramsBefore += client.datagramsReceived();
            byEntity.remove(client.entityId());
            client.disconnect();
            connectedNanos = 0;
            startedNanos = 0;
            loginAgainNanos = now + scenario.churn().offline().toNanos();
            logouts++;
        }

        /** Handed off: the new gateway numbers its snapshots from 1, so the loss count starts a new span. */
        @Override
        public void onHandoff(String endpoint, boolean ok) {
            if (ok) {
                handoffs++;
            } else {
                handoffsFailed++;
            }
            spannedBefore = spanned();
            firstSnapshot = 0;
            lastSnapshot = 0;
        }

        @Override
        public void onResponse(long requestId, ResponseStatus status, String message) {
            switch (status) {
                case OK -> teleportsDone++;
                case BAD_REQUEST -> teleportsRefused++;
                default -> teleportsFailed++;
            }
        }

        @Override
        public void onSnapshot(int tick, EntityStates view) {
            if (firstSnapshot == 0) {
                firstSnapshot = tick;
            }
            lastSnapshot = tick;
            snapshots++;
            long now = System.nanoTime();
            for (int i = 0; i < view.size(); i++) {
                int entity = view.entityId(i);
                Bot other = byEntity.get(entity);
                if (other == null || other == this) {
                    continue;
                }
                int rotation = view.rotation(i);
                if (lastRotation.put(entity, rotation) == rotation) {
                    continue; // unchanged since the last snapshot
                }
                int sequence = other.inputThatSet(rotation, quaternion);
                if (sequence > lastMatched.get(entity)) {
                    lastMatched.put(entity, sequence);
                    latency.record((now - other.sentNanos[sequence % HISTORY]) / 1000);
                    observations++;
                }
            }
        }

        /** The sequence of this bot's recent input whose focus the packed rotation shows, or 0 if none. */
        int inputThatSet(int rotation, float[] q) {
            Quantization.quaternion(rotation, q);
            double seen = Math.toDegrees(2 * Math.atan2(q[1], q[3]));
            for (int k = 0; k < HISTORY; k++) {
                int sequence = sentSequence[k];
                if (sequence > 0 && Math.abs(Math.IEEEremainder(seen - sentYaw[k], 360)) < MATCH_DEGREES) {
                    return sequence;
                }
            }
            return 0;
        }

        /** Sends this bot's next input: its behaviour's intent, its focus turned by 37°. */
        void sendInput(long now) {
            steer(now);
            double yaw = yawBase + (inputs + 1) * TURN_DEGREES;
            float fx = (float) Math.sin(Math.toRadians(yaw));
            float fz = (float) Math.cos(Math.toRadians(yaw));
            int sequence = client.sendInput(intentX, intentZ, fx, fz, now);
            if (sequence > 0) {
                inputs++;
                int slot = sequence % HISTORY;
                sentSequence[slot] = sequence;
                sentYaw[slot] = yaw;
                sentNanos[slot] = now;
            }
        }

        private void steer(long now) {
            switch (behaviour) {
                case RANDOM_WALK, LOGIN_CHURN, TELEPORT_CHURN -> {
                    if (now >= nextTurnNanos) {
                        double angle = random.nextDouble() * 2 * Math.PI;
                        intentX = (float) Math.sin(angle);
                        intentZ = (float) Math.cos(angle);
                        nextTurnNanos = now + TimeUnit.SECONDS.toNanos(1);
                    }
                }
                case HOTSPOT -> {
                    int own = client.ownIndex();
                    if (own >= 0) {
                        EntityStates view = client.view();
                        double dx = scenario.hotspotX() - Quantization.metres(view.x(own));
                        double dz = scenario.hotspotZ() - Quantization.metres(view.z(own));
                        double distance = Math.hypot(dx, dz);
                        // Walk there, then mill about within 10 m.
                        double pace = distance > 10 ? 1 : 0.3;
                        double angle = distance > 10 ? Math.atan2(dx, dz) : random.nextDouble() * 2 * Math.PI;
                        intentX = (float) (Math.sin(angle) * pace);
                        intentZ = (float) (Math.cos(angle) * pace);
                    }
                }
                default -> {
                    intentX = 0;
                    intentZ = 0;
                }
            }
        }
    }

    /** What a bot does. */
    enum Behaviour {
        RANDOM_WALK,
        HOTSPOT,
        /** Walks at random; leaves after a session and logs in again after a while. */
        LOGIN_CHURN,
        /** Walks at random; teleports to a random point of the scenario's area every so often. */
        TELEPORT_CHURN,
        IDLE
    }

    /**
     * @param prefix the bots' avatar ids are {@code <prefix>-<n>}; a new random prefix per run keeps runs apart
     */
    public LoadTest(Scenario scenario, LoginClient login, ClientAeron aeron, String prefix) {
        this(scenario, List.of(login), aeron, prefix, null);
    }

    /**
     * @param logins the nodes to sign up and log in through, one bot after another (at least one)
     * @param slo null for a plain run; else a capacity search against it
     */
    public LoadTest(Scenario scenario, List<LoginClient> logins, ClientAeron aeron, String prefix, Slo slo) {
        if (logins.isEmpty()) {
            throw new IllegalArgumentException("a load test needs a node to log in through");
        }
        this.slo = slo;
        this.scenario = scenario;
        this.logins = List.copyOf(logins);
        this.aeron = aeron;
        this.prefix = prefix;
        this.latency = new LatencyRecorder(1_000_000L / scenario.inputHz());
    }

    /** Runs the whole scenario (ramp, steady phase, disconnects) on this thread; returns what it measured. */
    public Result run() {
        long start = System.nanoTime();
        long rampNanos = scenario.ramp().toNanos();
        long end = start + rampNanos + scenario.steady().toNanos();
        long inputPeriod = 1_000_000_000L / scenario.inputHz();
        int peak = 0;
        long nextSample = start + 1_000_000_000L;
        while (System.nanoTime() < end && sloBreach == null) {
            long now = System.nanoTime();
            // Open model: arrivals on schedule, whatever the server's state.
            while (started < scenario.avatars()
                    && now - start >= (long) (started / scenario.arrivalsPerSecond() * 1e9)) {
                Bot bot = new Bot(started, prefix + "-" + started, behaviourOf(started));
                bot.startedNanos = now;
                started++;
                signIn(bot);
            }
            for (Arrival a; (a = loggedIn.poll()) != null; ) {
                a.bot().newSession(a.client());
                if (!a.bot().listed) {
                    a.bot().listed = true;
                    bots.add(a.bot());
                }
            }
            int connected = 0;
            for (Bot bot : bots) {
                bot.client.poll(now);
                WorldClient.State state = bot.client.state();
                if (state == WorldClient.State.CONNECTED) {
                    if (bot.connectedNanos == 0) {
                        connectedNow(bot, now, inputPeriod);
                    } else if (bot.behaviour == Behaviour.LOGIN_CHURN && now >= bot.sessionEndsNanos) {
                        bot.leave(now);
                        continue;
                    }
                    connected++;
                    if (bot.behaviour == Behaviour.TELEPORT_CHURN && now >= bot.nextTeleportNanos) {
                        teleport(bot, now);
                    }
                    if (now >= bot.nextInputNanos) {
                        bot.sendInput(now);
                        bot.nextInputNanos += inputPeriod;
                    }
                } else if (state == WorldClient.State.DENIED && !bot.denialSeen) {
                    denied(bot, now);
                } else if (bot.loginAgainNanos != 0 && now >= bot.loginAgainNanos) {
                    bot.loginAgainNanos = 0;
                    if (bot.startedNanos == 0) {
                        bot.startedNanos = now;
                    }
                    logIn(bot);
                }
            }
            peak = Math.max(peak, connected);
            if (now >= nextSample) {
                sample((now - start) / 1e9, connected);
                nextSample += 1_000_000_000L;
            }
            // Paced: every bot is visited at most once a millisecond (data waits at most that, against a 50 ms
            // tick), so the thread does not spin over hundreds of bots that have nothing new.
            long spare = PASS_NANOS - (System.nanoTime() - now);
            if (spare > 0) {
                LockSupport.parkNanos(spare);
            }
        }
        for (Arrival late; (late = loggedIn.poll()) != null; ) {
            late.client().close(); // logged in as the run ended
        }
        long finished = System.nanoTime();
        return summarise(peak, (finished - start) / 1e9, finished);
    }

    /**
     * A bot's handshake was refused or timed out: counted by reason, and tried again with a new login after a
     * back-off, as a client would, when the server may let it in later (it timed out, could not place the avatar
     * yet, or was full) and attempts are left.
     */
    private void denied(Bot bot, long now) {
        bot.denialSeen = true;
        DenyReason reason = bot.client.denyReason();
        deniedBy.merge(reason == null ? HANDSHAKE_TIMEOUT : reason.name(), 1, Integer::sum);
        boolean later = reason == null || reason == DenyReason.AVATAR_UNAVAILABLE || reason == DenyReason.SERVER_FULL;
        if (later && bot.attempts < LOGIN_ATTEMPTS) {
            bot.loginAgainNanos = now + TimeUnit.MILLISECONDS.toNanos(bot.attempts * 1000L);
            bot.attempts++;
        }
    }

    /** A bot's session was just accepted: its login time, its entity, its schedule. */
    private void connectedNow(Bot bot, long now, long inputPeriod) {
        bot.connectedNanos = now;
        bot.attempts = 1;
        sessions++;
        loginMillis.recordValue(Math.min(loginMillis.getHighestTrackableValue(), (now - bot.startedNanos) / 1_000_000));
        tickHz = bot.client.tickHz();
        byEntity.put(bot.client.entityId(), bot);
        bot.nextInputNanos = now + (long) (random.nextDouble() * inputPeriod); // staggered
        Scenario.Churn churn = scenario.churn();
        bot.sessionEndsNanos = now + jittered(churn.sessionLength().toNanos());
        if (scenario.scatter() != null && !bot.scattered) {
            bot.scattered = true;
            scatter(bot, now);
        }
        bot.nextTeleportNanos = now + jittered(churn.teleportEvery().toNanos());
    }

    /** Between half and one and a half of {@code meanNanos}, uniformly. */
    private long jittered(long meanNanos) {
        return (long) (meanNanos * (0.5 + random.nextDouble()));
    }

    /** Asks for a teleport to a random point of the scenario's area. */
    private void teleport(Bot bot, long now) {
        double[] to = scenario.area().randomPoint(random);
        teleport(bot, to[0], to[1], now);
        bot.nextTeleportNanos = now + jittered(scenario.churn().teleportEvery().toNanos());
    }

    private void teleport(Bot bot, double x, double z, long now) {
        if (bot.client.teleport((float) x, 0, (float) z, now) > 0) {
            teleports++;
        }
    }

    /** Sends a bot connected for the first time to its group's place (with {@link Scenario.Scatter}). */
    private void scatter(Bot bot, long now) {
        Scenario.Scatter scatter = scenario.scatter();
        int group = bot.index / scatter.groupSize();
        double[] centre = scenario.area().randomPoint(new Random(0x5CA77E2L * 31 + group)); // same every run
        double angle = random.nextDouble() * 2 * Math.PI;
        double distance = scatter.radius() * Math.sqrt(random.nextDouble()); // uniform over the disc
        Scenario.Area a = scenario.area();
        teleport(
                bot,
                Math.max(a.minX(), Math.min(a.maxX(), centre[0] + distance * Math.sin(angle))),
                Math.max(a.minZ(), Math.min(a.maxZ(), centre[1] + distance * Math.cos(angle))),
                now);
    }

    /** Adds a second to the timeline (reads every bot's counters: once a second, not per poll). */
    private void sample(double seconds, int connected) {
        long bytes = 0;
        long snapshots = 0;
        long spanned = 0;
        long handoffs = 0;
        for (Bot bot : bots) {
            bytes += bot.bytes();
            snapshots += bot.snapshots;
            spanned += bot.spanned();
            handoffs += bot.handoffs;
        }
        Histogram h = latency.takeInterval();
        if (slo != null) {
            judge(h, connected, snapshots - lastSnapshots, spanned - lastSpanned);
        }
        lastSpanned = spanned;
        boolean any = h.getTotalCount() > 0;
        timeline.add(new Sample(
                seconds,
                connected,
                any ? h.getValueAtPercentile(50) / 1000.0 : Double.NaN,
                any ? h.getValueAtPercentile(99) / 1000.0 : Double.NaN,
                any ? h.getMaxValue() / 1000.0 : Double.NaN,
                bytes - lastBytes,
                snapshots - lastSnapshots,
                handoffs - lastHandoffs));
        lastBytes = bytes;
        lastSnapshots = snapshots;
        lastHandoffs = handoffs;
    }

    /** Adds a second to the capacity search's window; at the window's end, judges it against the objective. */
    private void judge(Histogram second, int connected, long snapshots, long spanned) {
        window.add(second);
        windowSnapshots += snapshots;
        windowSpanned += spanned;
        windowClientSeconds += connected;
        if (++windowSeconds < WINDOW_SECONDS) {
            return;
        }
        windowsEnded++;
        boolean warm = windowsEnded * WINDOW_SECONDS > scenario.warmUp().toSeconds();
        if (warm && window.getTotalCount() > 0 && windowClientSeconds > 0) {
            sloBreach = slo.breach(
                    window.getValueAtPercentile(99) / 1000.0,
                    windowSpanned == 0 ? 0 : Math.max(0, 1 - (double) windowSnapshots / windowSpanned),
                    windowSnapshots / windowClientSeconds,
                    tickHz);
            if (sloBreach == null) {
                avatarsAtSlo = connected;
            }
        }
        window = new Histogram(LatencyRecorder.MAX_MICROS, 3);
        windowSnapshots = 0;
        windowSpanned = 0;
        windowClientSeconds = 0;
        windowSeconds = 0;
    }

    private Behaviour behaviourOf(int index) {
        // Spread evenly: bot i's place in [0, 1) decides, so small populations get the shares too.
        double place = (index * 0.6180339887) % 1.0;
        Scenario.Mix mix = scenario.mix();
        double[] upTo = {
            mix.randomWalk(),
            mix.randomWalk() + mix.hotspot(),
            mix.randomWalk() + mix.hotspot() + mix.loginChurn(),
            mix.randomWalk() + mix.hotspot() + mix.loginChurn() + mix.teleportChurn()
        };
        for (int b = 0; b < upTo.length; b++) {
            if (place < upTo[b]) {
                return Behaviour.values()[b]; // the enum lists the behaviours in the mix's order
            }
        }
        return Behaviour.IDLE;
    }

    /** The node bot signs up and logs in through (always the same one for a bot). */
    private LoginClient loginOf(Bot bot) {
        return logins.get(bot.index % logins.size());
    }

    /** Signs the bot up (a new identity), then logs it in; asynchronous HTTP, so arrivals never queue here. */
    private void signIn(Bot bot) {
        signIn(bot, SessionLogin.newIdentity()[0], 1);
    }

    private void signIn(Bot bot, byte[] seed, int attempt) {
        loginOf(bot).registerAsync(bot.id, bot.id, seed, scenario.region()).whenComplete((registered, failure) -> {
            Throwable cause = cause(failure);
            if (failure == null
                    // An earlier attempt that timed out at the client went through after all.
                    || attempt > 1
                            && cause instanceof LoginClient.Refused r
                            && r.code().equals("avatar-already-registered")) {
                bot.seed = seed;
                logIn(bot, 1);
            } else if (retryable(cause, attempt)) {
                later(attempt, () -> signIn(bot, seed, attempt + 1));
            } else {
                loginFailures.incrementAndGet();
            }
        });
    }

    /** Logs the bot in with its key and hands it, connecting, to the polling thread (through {@link #loggedIn}). */
    private void logIn(Bot bot) {
        logIn(bot, 1);
    }

    private void logIn(Bot bot, int attempt) {
        long nonce = nonces.nextLong();
        loginOf(bot).loginAsync(bot.id, bot.seed, nonce).whenComplete((grant, failure) -> {
            if (failure != null) {
                if (retryable(cause(failure), attempt)) {
                    later(attempt, () -> logIn(bot, attempt + 1));
                } else {
                    loginFailures.incrementAndGet();
                }
                return;
            }
            try {
                WorldClient client = new WorldClient(
                        aeron.aeron(), ClientSettings.defaults(grant.serverEndpoint(), grant.replyControl()), bot);
                client.connect(grant.token(), nonce);
                loggedIn.add(new Arrival(bot, client));
            } catch (RuntimeException e) {
                loginFailures.incrementAndGet();
            }
        });
    }

    /**
     * Whether a sign-up or login that failed so should be tried again, as a client would: the node said it is busy
     * (503 {@code world-busy}) or did not answer in time, and this was not the last of {@link #LOGIN_ATTEMPTS}.
     */
    private boolean retryable(Throwable cause, int attempt) {
        boolean busy =
                cause instanceof LoginClient.Refused r && r.status() == 503 || cause instanceof HttpTimeoutException;
        if (busy && attempt < LOGIN_ATTEMPTS) {
            loginRetries.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Runs {@code retry} after a back-off of about {@code attempt} seconds (jittered, so retries spread out). */
    private void later(int attempt, Runnable retry) {
        long millis =
                (long) (attempt * 1000 * (0.5 + ThreadLocalRandom.current().nextDouble()));
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(retry);
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private Result summarise(int peak, double seconds, long now) {
        long snapshots = 0;
        long spanned = 0;
        long bytes = 0;
        long datagrams = 0;
        double connectedSeconds = 0;
        int denied = 0;
        int lost = 0;
        long handoffs = 0;
        long handoffsFailed = 0;
        for (Bot bot : bots) {
            handoffs += bot.handoffs;
            handoffsFailed += bot.handoffsFailed;
            if (bot.client.state() == WorldClient.State.DENIED) {
                denied++; // and not let in on its last attempt
            }
            if (bot.client.state() == WorldClient.State.LOST) {
                lost++;
            }
            connectedSeconds += bot.connectedSecondsBefore;
            if (bot.connectedNanos > 0) {
                connectedSeconds += (now - bot.connectedNanos) / 1e9;
            }
            snapshots += bot.snapshots;
            spanned += bot.spanned();
            bytes += bot.bytes();
            datagrams += bot.datagrams();
            bot.client.close();
        }
        return new Result(
                scenario,
                peak,
                seconds,
                latency,
                observations,
                connectedSeconds == 0 ? 0 : snapshots / connectedSeconds,
                spanned == 0 ? 0 : 1 - (double) snapshots / spanned,
                connectedSeconds == 0 ? 0 : bytes / connectedSeconds,
                started,
                deniedBy.getOrDefault(HANDSHAKE_TIMEOUT, 0),
                denied,
                lost,
                loginFailures.get(),
                List.copyOf(timeline),
                avatarsAtSlo,
                sloBreach,
                new Churned(sessions, logouts, teleports, teleportsDone, teleportsRefused, teleportsFailed),
                loginMillis,
                connectedSeconds == 0 ? 0 : datagrams / connectedSeconds,
                loginRetries.get(),
                Collections.unmodifiableSortedMap(new TreeMap<>(deniedBy)),
                handoffs,
                handoffsFailed);
    }
}

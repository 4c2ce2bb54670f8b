package org.worldserver.loadtest;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.worldserver.protocol.EntityStates;
import org.worldserver.protocol.Quantization;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.protocol.client.ClientSettings;
import org.worldserver.protocol.client.Listener;
import org.worldserver.protocol.client.WorldClient;

/**
 * Runs a {@link Scenario}: bots arrive at the scenario's rate (an open model: a bot is started on schedule however
 * the server copes), each a {@link WorldClient} on one shared Aeron client, all polled by the calling thread (no
 * thread per bot); sign-ups and logins run on a small pool so HTTP never stalls the polling. After the ramp and
 * the steady phase every bot disconnects.
 *
 * <p><b>Latency</b> is input → observed by another bot: every input turns the bot's focus by 37° (so the last 16
 * are at least 10° apart), the server sends the new facing to the bots that see it, and an observer that sees a
 * bot's rotation change finds the input that set it among that bot's last 16 and records now − its send time
 * (same process, same clock). Recorded with coordinated-omission correction at the input interval.
 *
 * <p><b>Capacity search</b> (with an {@link Slo}): bots keep arriving at the scenario's rate up to its population,
 * and every {@link #WINDOW_SECONDS} s the window is judged against the objective (not the first: it is the
 * warm-up, with the node's and the harness's code still being compiled); the run ends at the first window that
 * breaks it, and the population at the end of the last window that held is the capacity. Ramp slowly (a low
 * arrival rate) for a fine-grained answer: each window adds {@code arrival-rate × 5} bots.
 *
 * <p>Not thread-safe: one run per instance, on the calling thread.
 */
public final class LoadTest {

    /** What the run measured; times in seconds, rates per second. */
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
            String sloBreach) {}

    /**
     * One second of the run: the bots connected at its end, the latencies observed in it (corrected, ms), what
     * all bots received in it.
     */
    public record Sample(
            double seconds,
            int connected,
            double latencyP50,
            double latencyP99,
            double latencyMax,
            double bytesPerSecond,
            double snapshotsPerSecond) {}

    private static final double TURN_DEGREES = 37;
    private static final int HISTORY = 16;
    private static final double MATCH_DEGREES = 1.0;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Seconds per window the capacity search judges. */
    static final int WINDOW_SECONDS = 5;

    private final Scenario scenario;
    private final LoginClient login;
    private final ClientAeron aeron;
    private final String prefix;
    private final Random random = new Random();
    private final LatencyRecorder latency;
    private final Int2ObjectHashMap<Bot> byEntity = new Int2ObjectHashMap<>();
    private final List<Bot> bots = new ArrayList<>();
    private final ConcurrentLinkedQueue<Bot> loggedIn = new ConcurrentLinkedQueue<>();
    private final AtomicInteger loginFailures = new AtomicInteger();
    private long observations;
    private int started;
    private int connectTimeouts;
    private final List<Sample> timeline = new ArrayList<>();
    private long lastBytes;
    private long lastSnapshots;
    private final Slo slo;
    private org.HdrHistogram.Histogram window = new org.HdrHistogram.Histogram(LatencyRecorder.MAX_MICROS, 3);
    private long windowSnapshots;
    private long windowSpanned;
    private double windowClientSeconds;
    private int windowSeconds;
    private long lastSpanned;
    private int tickHz;
    private int avatarsAtSlo;
    private String sloBreach;
    private int windowsJudged;

    /** One bot: its client, what it does, the inputs it sent (for latency), what it saw of the others. */
    private final class Bot implements Listener {
        final String id;
        final Behaviour behaviour;
        WorldClient client;
        long startedNanos;
        long connectedNanos;
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

        Bot(String id, Behaviour behaviour) {
            this.id = id;
            this.behaviour = behaviour;
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
                case RANDOM_WALK -> {
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
        IDLE
    }

    /**
     * @param prefix the bots' avatar ids are {@code <prefix>-<n>}; a new random prefix per run keeps runs apart
     */
    public LoadTest(Scenario scenario, LoginClient login, ClientAeron aeron, String prefix) {
        this(scenario, login, aeron, prefix, null);
    }

    /** @param slo null for a plain run; else a capacity search against it */
    public LoadTest(Scenario scenario, LoginClient login, ClientAeron aeron, String prefix, Slo slo) {
        this.slo = slo;
        this.scenario = scenario;
        this.login = login;
        this.aeron = aeron;
        this.prefix = prefix;
        this.latency = new LatencyRecorder(1_000_000L / scenario.inputHz());
    }

    /** Runs the whole scenario (ramp, steady phase, disconnects) on this thread; returns what it measured. */
    public Result run() throws InterruptedException {
        ExecutorService logins = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        long rampNanos = scenario.ramp().toNanos();
        long end = start + rampNanos + scenario.steady().toNanos();
        long inputPeriod = 1_000_000_000L / scenario.inputHz();
        IdleStrategy idle = new BackoffIdleStrategy();
        int peak = 0;
        long nextSample = start + 1_000_000_000L;
        try {
            while (System.nanoTime() < end && sloBreach == null) {
                long now = System.nanoTime();
                int work = 0;
                // Open model: arrivals on schedule, whatever the server's state.
                while (started < scenario.avatars()
                        && now - start >= (long) (started / scenario.arrivalsPerSecond() * 1e9)) {
                    Bot bot = new Bot(prefix + "-" + started, behaviourOf(started));
                    bot.startedNanos = now;
                    started++;
                    logins.execute(() -> signIn(bot));
                }
                for (Bot ready; (ready = loggedIn.poll()) != null; work++) {
                    bots.add(ready);
                }
                int connected = 0;
                for (Bot bot : bots) {
                    work += bot.client.poll(now);
                    WorldClient.State state = bot.client.state();
                    if (state == WorldClient.State.CONNECTED) {
                        connected++;
                        if (bot.connectedNanos == 0) {
                            bot.connectedNanos = now;
                            tickHz = bot.client.tickHz();
                            byEntity.put(bot.client.entityId(), bot);
                            bot.nextInputNanos = now + (long) (random.nextDouble() * inputPeriod); // staggered
                        }
                        if (now >= bot.nextInputNanos) {
                            bot.sendInput(now);
                            bot.nextInputNanos += inputPeriod;
                            work++;
                        }
                    } else if ((state == WorldClient.State.CONNECTING || state == WorldClient.State.CHALLENGED)
                            && now - bot.startedNanos > CONNECT_TIMEOUT_NANOS) {
                        connectTimeouts++;
                        bot.client.close();
                    }
                }
                peak = Math.max(peak, connected);
                if (now >= nextSample) {
                    sample((now - start) / 1e9, connected);
                    nextSample += 1_000_000_000L;
                }
                idle.idle(work);
            }
        } finally {
            logins.shutdownNow();
            logins.awaitTermination(10, TimeUnit.SECONDS);
        }
        long finished = System.nanoTime();
        return summarise(peak, (finished - start) / 1e9, finished);
    }

    /** Adds a second to the timeline (reads every bot's counters: once a second, not per poll). */
    private void sample(double seconds, int connected) {
        long bytes = 0;
        long snapshots = 0;
        long spanned = 0;
        for (Bot bot : bots) {
            bytes += bot.client.bytesReceived();
            snapshots += bot.snapshots;
            if (bot.snapshots > 0) {
                spanned += bot.lastSnapshot - bot.firstSnapshot + 1;
            }
        }
        org.HdrHistogram.Histogram h = latency.takeInterval();
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
                snapshots - lastSnapshots));
        lastBytes = bytes;
        lastSnapshots = snapshots;
    }

    /** Adds a second to the capacity search's window; at the window's end, judges it against the objective. */
    private void judge(org.HdrHistogram.Histogram second, int connected, long snapshots, long spanned) {
        window.add(second);
        windowSnapshots += snapshots;
        windowSpanned += spanned;
        windowClientSeconds += connected;
        if (++windowSeconds < WINDOW_SECONDS) {
            return;
        }
        if (windowsJudged++ > 0 && window.getTotalCount() > 0 && windowClientSeconds > 0) {
            sloBreach = slo.breach(
                    window.getValueAtPercentile(99) / 1000.0,
                    windowSpanned == 0 ? 0 : Math.max(0, 1 - (double) windowSnapshots / windowSpanned),
                    windowSnapshots / windowClientSeconds,
                    tickHz);
            if (sloBreach == null) {
                avatarsAtSlo = connected;
            }
        }
        window = new org.HdrHistogram.Histogram(LatencyRecorder.MAX_MICROS, 3);
        windowSnapshots = 0;
        windowSpanned = 0;
        windowClientSeconds = 0;
        windowSeconds = 0;
    }

    private Behaviour behaviourOf(int index) {
        // Spread evenly: bot i's place in [0, 1) decides, so small populations get the shares too.
        double place = (index * 0.6180339887) % 1.0;
        if (place < scenario.randomWalk()) {
            return Behaviour.RANDOM_WALK;
        }
        return place < scenario.randomWalk() + scenario.hotspot() ? Behaviour.HOTSPOT : Behaviour.IDLE;
    }

    /** On the login pool: signs the bot up (a new identity), logs it in, hands it to the polling thread. */
    private void signIn(Bot bot) {
        try {
            byte[] seed = SessionLogin.newIdentity()[0];
            login.register(bot.id, bot.id, seed);
            long nonce = new SecureRandom().nextLong();
            LoginClient.Grant grant = login.login(bot.id, seed, nonce);
            bot.client = new WorldClient(
                    aeron.aeron(), ClientSettings.defaults(grant.serverEndpoint(), grant.replyControl()), bot);
            bot.client.connect(grant.token(), nonce);
            loggedIn.add(bot);
        } catch (Exception e) {
            loginFailures.incrementAndGet();
        }
    }

    private Result summarise(int peak, double seconds, long now) {
        long snapshots = 0;
        long spanned = 0;
        long bytes = 0;
        double connectedSeconds = 0;
        int denied = 0;
        int lost = 0;
        for (Bot bot : bots) {
            if (bot.client.state() == WorldClient.State.DENIED) {
                denied++;
            }
            if (bot.client.state() == WorldClient.State.LOST) {
                lost++;
            }
            if (bot.connectedNanos > 0) {
                connectedSeconds += (now - bot.connectedNanos) / 1e9;
            }
            snapshots += bot.snapshots;
            if (bot.snapshots > 0) {
                spanned += bot.lastSnapshot - bot.firstSnapshot + 1;
            }
            bytes += bot.client.bytesReceived();
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
                connectTimeouts,
                denied,
                lost,
                loginFailures.get(),
                List.copyOf(timeline),
                avatarsAtSlo,
                sloBreach);
    }
}

package org.worldserver.shard.world;

/**
 * Decides, for one observer and one tick, how much attention each entity in its area of interest deserves and
 * which entity updates it is sent.
 *
 * <pre>
 * relevance  e_j = − w_d·(d_j / R) + w_v·(|v_j − v_o| / 2·v_max) + w_f·cos(focus_o, dir_oj) + w_i·interacting_oj
 * attention  a_j = softmax_j(e_j) = exp(e_j − max e) / Σ_k exp(e_k − max e)        (Σ_j a_j = 1)
 * priority   p_j = a_j · (ticks since j was last sent)        grows until j is sent, so nothing starves
 *            entering entities (never sent) come first, by a_j; any entity due for its minimum refresh next
 * budget     budget-per-second / tick-hz bytes per tick: the highest priorities, as many updates as fit
 * </pre>
 *
 * The weights {@code a_j} are also the observer's attention: summed over observers and multiplied by the tick
 * length they are the attention-seconds each entity receives.
 *
 * <p>Allocation-free after construction. Not thread-safe: one instance per cell, used on the cell's tick.
 */
public final class InterestManager {

    private static final int TIER_NORMAL = 0;
    private static final int TIER_REFRESH_DUE = 1;
    private static final int TIER_ENTERING = 2;
    /** Candidate indices live in the low 30 bits of a sort key. */
    private static final int MAX_CANDIDATES = 1 << 30;

    private final InterestSettings settings;
    private final int budgetBytesPerTick;
    /** Updates that fit in the budget of one tick. */
    private final int updatesPerTick;

    private final int minRefreshTicks;
    private final float[] score;
    private final long[] order;
    private final int[] tracked;
    /** Keeps {@link ObserverInterest#touch()} from being optimised away; never read. */
    @SuppressWarnings("unused")
    private int touched;

    /**
     * @param tickHz the cell's tick rate
     * @param maxCandidates the most candidates one observer is ever given
     */
    public InterestManager(InterestSettings settings, float tickHz, int maxCandidates) {
        this.settings = settings;
        this.budgetBytesPerTick = Math.max(0, (int) (settings.budgetBytesPerSecond() / tickHz));
        this.updatesPerTick = budgetBytesPerTick / settings.updateBytes();
        this.minRefreshTicks = Math.max(1, Math.round(tickHz / settings.minRefreshHz()));
        if (maxCandidates <= 0 || maxCandidates >= MAX_CANDIDATES) {
            throw new IllegalArgumentException("maxCandidates must be in 1.." + (MAX_CANDIDATES - 1));
        }
        this.score = new float[maxCandidates];
        this.order = new long[maxCandidates];
        this.tracked = new int[maxCandidates];
    }

    /** Bytes one observer may receive per tick. */
    public int budgetBytesPerTick() {
        return budgetBytesPerTick;
    }

    /** The longest an entity in range waits between two updates when the budget allows, in ticks. */
    public int minRefreshTicks() {
        return minRefreshTicks;
    }

    /**
     * Scores the candidates of {@code observer} and chooses the updates it is sent at {@code tick}.
     *
     * @param observer the observer's slot in {@code table}
     * @param candidates slots of the entities in its area of interest (not itself), {@code count} of them
     * @param weights receives {@code a_j} for each candidate, in candidate order (they sum to 1)
     * @param selected receives the slots to send: the highest priorities, in no particular order
     * @return how many slots were written to {@code selected}
     */
    public int plan(
            AvatarTable table,
            int observer,
            int[] candidates,
            int count,
            ObserverInterest interest,
            int tick,
            float[] weights,
            int[] selected) {
        if (count == 0) {
            return 0;
        }
        touched ^= interest.touch(); // its lines arrive while the scores are computed
        scoreRelevance(table, observer, candidates, count);
        softmax(count, weights);

        int generation = interest.generation();
        for (int k = 0; k < count; k++) {
            tracked[k] = interest.track(table.entityId[candidates[k]], tick);
        }
        if (interest.generation() != generation) { // the table grew and moved the entries tracked before that
            for (int k = 0; k < count; k++) {
                tracked[k] = interest.track(table.entityId[candidates[k]], tick);
            }
        }
        for (int k = 0; k < count; k++) {
            int stale = interest.ticksSinceSent(tracked[k], tick);
            int tier;
            float priority;
            if (stale == ObserverInterest.NEVER_SENT) {
                tier = TIER_ENTERING;
                priority = weights[k];
            } else if (stale >= minRefreshTicks) {
                tier = TIER_REFRESH_DUE;
                priority = stale;
            } else {
                tier = TIER_NORMAL;
                priority = weights[k] * stale;
            }
            // Sort key: tier, then priority (a non-negative float orders like its bit pattern), then index.
            order[k] = ((long) tier << 61) | ((long) Float.floatToRawIntBits(priority) << 30) | k;
        }
        int chosen = Math.min(count, updatesPerTick);
        if (chosen < count) {
            selectLargest(order, count, chosen);
        }
        for (int i = count - chosen; i < count; i++) {
            int k = (int) (order[i] & (MAX_CANDIDATES - 1));
            selected[i - (count - chosen)] = candidates[k];
            interest.markSent(tracked[k], tick);
        }
        return chosen;
    }

    /**
     * Rearranges {@code a[0..n)} so that its {@code m} largest values are in {@code a[n-m..n)}, in no particular
     * order (quickselect, expected O(n); the values are distinct). {@code 0 < m < n}.
     */
    static void selectLargest(long[] a, int n, int m) {
        int target = n - m; // the final position of the smallest of the m largest
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            // Median of three as the pivot, moved to hi.
            int mid = (lo + hi) >>> 1;
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[mid] < a[hi]) {
                swap(a, mid, hi);
            }
            long pivot = a[hi];
            int store = lo;
            for (int i = lo; i < hi; i++) {
                // Branch-free Lomuto step: swap always, advance only past a smaller value. When a[i] is not
                // smaller, both swapped values are ≥ pivot, so [store, i] stays the ≥ part. The comparison is a
                // coin flip here, which a branch would mispredict half the time.
                long v = a[i];
                a[i] = a[store];
                a[store] = v;
                store += v < pivot ? 1 : 0;
            }
            swap(a, store, hi);
            if (store == target) {
                return;
            } else if (store < target) {
                lo = store + 1;
            } else {
                hi = store - 1;
            }
        }
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private void scoreRelevance(AvatarTable t, int o, int[] candidates, int count) {
        float ox = t.x[o];
        float oz = t.z[o];
        float ovx = t.vx[o];
        float ovz = t.vz[o];
        float fx = t.focusX[o];
        float fz = t.focusZ[o];
        int oEntity = t.entityId[o];
        int oInteracting = t.interactingWith[o];
        float inverseRadius = 1f / settings.aoiRadius();
        float inverseSpeedRange = 1f / (2f * settings.maxSpeed());
        for (int k = 0; k < count; k++) {
            int s = candidates[k];
            float dx = t.x[s] - ox;
            float dz = t.z[s] - oz;
            float distance = (float) Math.sqrt(dx * dx + dz * dz);
            float focus = distance > 1e-3f ? (fx * dx + fz * dz) / distance : 1f;
            float rvx = t.vx[s] - ovx;
            float rvz = t.vz[s] - ovz;
            float relativeSpeed = (float) Math.sqrt(rvx * rvx + rvz * rvz) * inverseSpeedRange;
            boolean interacting = oInteracting == t.entityId[s] || t.interactingWith[s] == oEntity;
            score[k] = -settings.distanceWeight() * Math.min(1f, distance * inverseRadius)
                    + settings.velocityWeight() * Math.min(1f, relativeSpeed)
                    + settings.focusWeight() * focus
                    + (interacting ? settings.interactionWeight() : 0f);
        }
    }

    private void softmax(int count, float[] weights) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, score[k]);
        }
        float sum = 0f;
        for (int k = 0; k < count; k++) {
            float e = expOfNonPositive(score[k] - max);
            weights[k] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int k = 0; k < count; k++) {
            weights[k] *= inverse;
        }
    }

    /**
     * e^x for x ≤ 0, to a relative error below 10⁻⁶ for x ≥ −10 and 10⁻⁵ down to −87 (0 below, where a float
     * would underflow; softmax scores span far less): 2^(x·log2 e)
     * split into an integer power of two, set directly in the float's exponent, and 2^f for f in [−½, ½] by its
     * degree-6 Taylor polynomial. Cheaper than {@link Math#exp}, which matters at one call per candidate per observer
     * per tick (docs/benchmarks.md). The softmax divides by the sum, so the weights still sum to 1.
     */
    static float expOfNonPositive(float x) {
        if (x < -87f) {
            return 0f;
        }
        float t = x * 1.442695041f;
        int whole = (int) (t - 0.5f); // t rounded to the nearest integer (t ≤ 0): f in [-0.5, 0.5]
        float f = t - whole;
        float p = 1.0f
                + f
                        * (0.693147182f
                                + f
                                        * (0.240226507f
                                                + f
                                                        * (0.0555041087f
                                                                + f
                                                                        * (0.00961812911f
                                                                                + f
                                                                                        * (0.00133335581f
                                                                                                + f
                                                                                                        * 0.000154035304f)))));
        return Float.intBitsToFloat((whole + 127) << 23) * p;
    }
}

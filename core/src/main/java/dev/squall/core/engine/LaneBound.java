package dev.squall.core.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many jobs a lane may hold claimed ahead of its workers: about what they take in
 * {@link #AHEAD_MILLIS}, at least {@code floor}, at most {@code ceiling}. Short jobs get big claims
 * (one transaction for hundreds); long ones get few claimed ahead, because a claimed job that has not
 * started yet still counts as running, and after a crash as having run.
 *
 * <p>The bound is the count of jobs the workers took in the last {@link #AHEAD_MILLIS} ms, kept in
 * {@link #SAMPLE_NANOS} buckets. Over so long a window a stall (a GC pause, a slow commit, a thread
 * that waited for a core) takes off only its share, so the bound is still there when the requests
 * that arrived during the stall come in; and a few jobs taken at once by idle workers of long jobs
 * do not make it a rate. The places also cover new jobs being written as claimed
 * ({@link ReadyQueue#reserve}), for as long as the store's write takes; a new job that finds no place
 * is stored unclaimed and needs a claim, and the jobs after it wait for that claim too
 * ({@link DueGate}). With 20 ms of work ahead, measured over 10 ms, two nodes at 5,000 jobs/s on
 * PostgreSQL sent 38,922-94,100 of 250,000 jobs through the ready table, and one run of three never
 * recovered (p99 submit-to-start 3.8 s) ({@code PART=latency bench/postgres-bench.sh}, docs/benchmarks.md).
 *
 * <pre>{@code
 * LaneBound bound = new LaneBound(2 * workers, 1024, System.nanoTime());
 * bound.taken();                                  // a worker took a job
 * int room = bound.bound(System.nanoTime()) - claimedNotStarted;
 * }</pre>
 */
final class LaneBound {
    /** The work a lane keeps claimed ahead of its workers, at the pace they take it. */
    static final long AHEAD_MILLIS = 250;
    static final long SAMPLE_NANOS = 10_000_000L;
    private static final int BUCKETS = (int) (AHEAD_MILLIS * 1_000_000L / SAMPLE_NANOS);

    private final int floor;
    private final int ceiling;
    private final LongAdder taken = new LongAdder();
    private volatile int bound;
    /** Jobs taken in each of the last {@link #BUCKETS} samples, a ring; {@link #inWindow} is their sum. */
    private final long[] buckets = new long[BUCKETS];
    private int next;
    private long inWindow;
    private long sampledAt;
    private long takenAtSample;

    LaneBound(int floor, int ceiling, long nowNanos) {
        this.ceiling = Math.max(1, ceiling);
        this.floor = Math.max(1, Math.min(floor, this.ceiling));
        this.bound = this.floor;
        this.sampledAt = nowNanos;
    }

    /** A worker took a job. */
    void taken() {
        taken.increment();
    }

    /** The bound now; callers serialise it (the lane's refill lock) or accept a slightly stale one. */
    int bound() {
        return bound;
    }

    /** Samples what was taken when {@link #SAMPLE_NANOS} have passed, then gives the bound. Not thread-safe: one caller at a time. */
    int bound(long nowNanos) {
        long elapsed = nowNanos - sampledAt;
        if (elapsed >= SAMPLE_NANOS) {
            long t = taken.sum();
            // the samples that passed without a look (an idle lane) took nothing
            long skipped = Math.min(BUCKETS, elapsed / SAMPLE_NANOS - 1);
            for (long i = 0; i < skipped; i++) {
                push(0);
            }
            push(t - takenAtSample);
            bound = (int) Math.max(floor, Math.min(ceiling, inWindow));
            sampledAt = nowNanos;
            takenAtSample = t;
        }
        return bound;
    }

    private void push(long n) {
        inWindow += n - buckets[next];
        buckets[next] = n;
        next = (next + 1) % BUCKETS;
    }
}

package dev.squall.core.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many jobs a lane may hold claimed ahead of its workers: about what they take in
 * {@link #AHEAD_MILLIS}, at least {@code floor}, at most {@code ceiling}. Short jobs get big claims
 * (one transaction for hundreds); long ones get few claimed ahead, because a claimed job that has not
 * started yet still counts as running, and after a crash as having run.
 *
 * <p>The rate is sampled every {@link #SAMPLE_NANOS}. The bound rises with a sample at once and
 * falls by at most a tenth per sample, so a stall (a GC pause, a slow commit, a thread that waited
 * for a core) does not shrink it right when the requests that arrived during the stall come in.
 * The places also cover new jobs being written as claimed ({@link ReadyQueue#reserve}), for as long
 * as the store's write takes; a new job that finds no place is stored unclaimed and needs a claim,
 * and the jobs after it wait for that claim too ({@link DueGate}). With 20 ms ahead, following each
 * sample, two nodes at 5,000 jobs/s on PostgreSQL sent 38,922-94,100 of 250,000 jobs through the
 * ready table, and one run of three never recovered (p99 submit-to-start 3.8 s); with this,
 * 2,172-2,635 and p99 25-38 ms ({@code PART=latency bench/postgres-bench.sh}, in turn, docs/benchmarks.md).
 *
 * <pre>{@code
 * LaneBound bound = new LaneBound(2 * workers, 1024);
 * bound.taken();                                  // a worker took a job
 * int room = bound.bound(System.nanoTime()) - claimedNotStarted;
 * }</pre>
 */
final class LaneBound {
    /** The work a lane keeps claimed ahead of its workers, at the rate they take it. */
    static final long AHEAD_MILLIS = 250;
    static final long SAMPLE_NANOS = 10_000_000L;
    /** What is left of the bound after a sample that took less (the rest follows the sample). */
    private static final double KEEP = 0.9;

    private final int floor;
    private final int ceiling;
    private final LongAdder taken = new LongAdder();
    private volatile int bound;
    /** The jobs a millisecond the bound stands for: rises at once, falls by a tenth a sample. */
    private double level;
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

    /** Samples the rate when {@link #SAMPLE_NANOS} have passed, then gives the bound. Not thread-safe: one caller at a time. */
    int bound(long nowNanos) {
        long elapsed = nowNanos - sampledAt;
        if (elapsed >= SAMPLE_NANOS) {
            long t = taken.sum();
            double perMilli = (t - takenAtSample) * 1_000_000.0 / elapsed;
            // Each whole sample that passed takes a tenth off: a lane idle for a second is back at its floor.
            double kept = level * Math.pow(KEEP, (double) elapsed / SAMPLE_NANOS);
            level = Math.max(perMilli, kept);
            bound = (int) Math.max(floor, Math.min(ceiling, Math.ceil(level * AHEAD_MILLIS)));
            sampledAt = nowNanos;
            takenAtSample = t;
        }
        return bound;
    }
}

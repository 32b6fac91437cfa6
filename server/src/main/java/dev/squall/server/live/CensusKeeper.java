package dev.squall.server.live;

import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The jobs by state, kept up to date in memory: a count of the store taken on a timer of its own,
 * plus every transition this node's engine made since that count began ({@link JobTally}, a
 * {@link dev.squall.core.JobEvents} the engine is given: {@link #events()}). Metrics scrapes,
 * {@code /stats}, the live stream and every open dashboard read {@link Snapshot#count} and never
 * query the store themselves (a hundred dashboards cost the database nothing more than one). On
 * PostgreSQL the count covers the whole cluster; the other nodes' transitions show at the next one.
 * On a store that drops finished jobs by itself ({@link JobStore#boundsFinished()}: memory), the
 * finished states follow the count only, so that they never show jobs the store no longer keeps.
 *
 * <p>The count runs every {@link #EVERY}, or less often when it is slow: never more than about 5%
 * of the time (a count that takes 200 ms runs every 4 s), so a store with millions of finished jobs
 * is not kept busy counting them. A failed count keeps the last good one, which says how old it is.
 *
 * <p>A store that counts its unfinished jobs apart ({@link JobStore#censusOfUnfinished}: PostgreSQL,
 * from the ready table and the leases) has only those counted every second; the whole census,
 * finished jobs and all, runs every {@link #FULL_EVERY} at most and never more than about 2% of the
 * time. Each part keeps its own mark of the transitions before it, so the finished counts still
 * follow this node's results at once. Every node read every job kept once a second before, a cost
 * that grows with the history: at 5,000 jobs/s on two nodes, 1,851 ms of PostgreSQL's time in a
 * 30 s run against 884 ms after the split ({@code bench/scripts/pg-statements.sh}, docs/benchmarks.md).
 * On a store several nodes share ({@link JobStore#census(Duration)}: PostgreSQL), the whole census
 * may be one another node counted for the cluster up to nine tenths of that period ago; this node's
 * transitions since it are added from the mark taken before it ({@link Marks}), so its own results
 * still show at once, and the cluster reads its history about once per period, not once per node.
 *
 * <pre>{@code
 * CensusKeeper census = CensusKeeper.start(store);
 * long dead = census.latest().census().count(JobState.DEAD);
 * census.close();
 * }</pre>
 */
public final class CensusKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("squall.server");
    static final Duration EVERY = Duration.ofSeconds(1);
    /** How often the whole census runs at most, on a store that counts its unfinished jobs apart. */
    static final Duration FULL_EVERY = Duration.ofSeconds(10);

    /**
     * A count and when it was taken (epoch millis; 0 before the first), with what moved since.
     * {@link #census()} is the count as taken (its rows by queue and their oldest waiting job);
     * {@link #count} adds the transitions since. The rows of the finished states may come from an
     * older count than the rest ({@code finishedTakenAt}, with its own mark), on a store that counts
     * its unfinished jobs apart.
     */
    public record Snapshot(JobStore.Census census, long takenAt, JobTally tally, long[] movedBefore, boolean finishedLive,
                           long finishedTakenAt, long[] finishedMovedBefore) {
        Snapshot(JobStore.Census census, long takenAt, JobTally tally, long[] movedBefore, boolean finishedLive) {
            this(census, takenAt, tally, movedBefore, finishedLive, takenAt, movedBefore);
        }

        /** How many jobs are in {@code state} now, over every queue: the count plus what moved since it began. */
        public long count(JobState state) {
            long counted = census.count(state);
            if (tally == null || (state.terminal() && !finishedLive)) {
                return counted;
            }
            return Math.max(0, counted + tally.movedSince(state.terminal() ? finishedMovedBefore : movedBefore, state));
        }

        /** This snapshot with the finished states' rows of {@code census}, counted at {@code at} after the transitions of {@code before}. */
        Snapshot withFinished(JobStore.Census census, long at, long[] before) {
            List<JobStore.Census.Row> rows = new java.util.ArrayList<>();
            for (JobStore.Census.Row r : this.census.rows()) {
                if (!r.state().terminal()) {
                    rows.add(r);
                }
            }
            for (JobStore.Census.Row r : census.rows()) {
                if (r.state().terminal()) {
                    rows.add(r);
                }
            }
            return new Snapshot(new JobStore.Census(rows), takenAt, tally, movedBefore, finishedLive, at, before);
        }

        /** This snapshot with the unfinished jobs counted again ({@code unfinished}: their rows only); the finished rows stay. */
        Snapshot withUnfinished(JobStore.Census unfinished, long at, long[] before) {
            List<JobStore.Census.Row> rows = new java.util.ArrayList<>(unfinished.rows());
            for (JobStore.Census.Row r : census.rows()) {
                if (r.state().terminal()) {
                    rows.add(r);
                }
            }
            return new Snapshot(new JobStore.Census(rows), at, tally, before, finishedLive, finishedTakenAt, finishedMovedBefore);
        }
    }

    private final JobStore store;
    private final JobTally tally = new JobTally();
    private final Thread thread;
    private volatile Snapshot latest;
    private volatile boolean running = true;
    private final Object tick = new Object();
    /** Whether the store counts its unfinished jobs apart; false once it said it does not. Keeper thread only after start. */
    private boolean splits = true;
    /** When the next whole census is due (System.nanoTime), on a store that splits. Keeper thread only after start. */
    private long fullDueNanos;

    private final long fullEveryNanos;
    /** How often the whole census runs now (fullEvery, or more when it is slow). Keeper thread only after start. */
    private long fullPeriodNanos;
    /** The transitions before each recent count, to match a census another node took a while ago. Keeper thread only. */
    private final Marks marks = new Marks();

    private CensusKeeper(JobStore store, Duration fullEvery) {
        this.store = store;
        this.fullEveryNanos = fullEvery.toNanos();
        this.fullPeriodNanos = fullEveryNanos;
        this.latest = new Snapshot(new JobStore.Census(List.of()), 0, tally, tally.moved(), !store.boundsFinished());
        this.thread = Thread.ofPlatform().name("squall-census").daemon(true).unstarted(this::loop);
    }

    /** Counts once now (so the first scrape sees real figures), then keeps counting in the background. */
    public static CensusKeeper start(JobStore store) {
        return start(store, FULL_EVERY);
    }

    /** As {@link #start(JobStore)}, the whole census at most every {@code fullEvery} (tests). */
    static CensusKeeper start(JobStore store, Duration fullEvery) {
        CensusKeeper k = new CensusKeeper(store, fullEvery);
        k.countOnce();
        k.thread.start();
        return k;
    }

    /** The latest count, and the transitions since it ({@link Snapshot#count}). */
    public Snapshot latest() {
        return latest;
    }

    /** What the engine must tell for the counts to follow its transitions between two counts. */
    public dev.squall.core.JobEvents events() {
        return tally;
    }

    /** Counts again soon (after a bulk change a viewer wants to see); never more often than the timer allows. */
    public void nudge() {
        synchronized (tick) {
            tick.notifyAll();
        }
    }

    /** Counts once now (the unfinished jobs, or all when due); returns how long it took, in nanos, weighed against the part counted. */
    private long countOnce() {
        long t0 = System.nanoTime();
        try {
            // What moved before the count began is in it; what moves during it may be counted
            // twice for a moment (a commit the count saw, told after this mark): the next count
            // puts that right.
            long[] before = tally.moved();
            marks.remember(t0, before);
            boolean fullDue = latest.takenAt() == 0 || t0 - fullDueNanos >= 0;
            if (splits) {
                JobStore.Census unfinished = store.censusOfUnfinished();
                if (unfinished != null) {
                    long now = System.currentTimeMillis();
                    if (!fullDue) {
                        latest = latest.withUnfinished(unfinished, now, before);
                        return System.nanoTime() - t0;
                    }
                    // The finished states from the whole census, which may be one another node
                    // counted a while ago: this node's transitions since then are added from the
                    // mark taken before that count began (none before this node started).
                    long t1 = System.nanoTime();
                    JobStore.Census all;
                    try {
                        all = store.census(Duration.ofNanos(fullPeriodNanos * 9 / 10));
                    } catch (RuntimeException e) {
                        if (latest.takenAt() != 0) {
                            latest = latest.withUnfinished(unfinished, now, before); // the whole census again next time
                        }
                        throw e;
                    }
                    long took = System.nanoTime() - t1;
                    long countedAt = t1 - all.ageMillis() * 1_000_000;
                    latest = new Snapshot(unfinished, now, tally, before, !store.boundsFinished(), 0, before)
                            .withFinished(all, now - all.ageMillis(), marks.before(countedAt));
                    scheduleFull(took);
                    return 0;
                }
                splits = false;
            }
            latest = new Snapshot(store.census(), System.currentTimeMillis(), tally, before, !store.boundsFinished());
            return System.nanoTime() - t0;
        } catch (RuntimeException e) {
            LOG.debug("could not count the jobs: {}", e.toString());
        }
        return System.nanoTime() - t0;
    }

    /** The whole census at most every fullEvery and 2% of the time (weighed by what the last one took); the unfinished part meanwhile. */
    private void scheduleFull(long tookNanos) {
        fullPeriodNanos = Math.max(fullEveryNanos, tookNanos * 50);
        fullDueNanos = System.nanoTime() + fullPeriodNanos;
    }

    private void loop() {
        long took = 0;
        while (running) {
            long waitMillis = Math.max(EVERY.toMillis(), took * 20 / 1_000_000);
            long minimumMillis = Math.max(100, took * 20 / 1_000_000 / 4);
            try {
                Thread.sleep(minimumMillis);
                synchronized (tick) {
                    if (running) {
                        tick.wait(Math.max(1, waitMillis - minimumMillis));
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            if (running) {
                took = countOnce();
            }
        }
    }

    /**
     * The engine's transitions as they stood at each recent count, about one a second for the last
     * two minutes: {@link #before} finds those before a given moment, to go with a census counted then.
     */
    static final class Marks {
        private static final int KEPT = 128;
        private final long[] at = new long[KEPT];
        private final long[][] moved = new long[KEPT][];
        private int next;
        private int size;

        void remember(long nanos, long[] movedThen) {
            at[next] = nanos;
            moved[next] = movedThen;
            next = (next + 1) % KEPT;
            size = Math.min(size + 1, KEPT);
        }

        /**
         * The transitions as they stood at the latest mark at or before {@code nanos}; none (all
         * zero) when every mark is later and none was forgotten, as for a count taken before this
         * node started. A count older than every mark kept takes the oldest: it is then off by
         * what moved before that mark until the next count puts it right.
         */
        long[] before(long nanos) {
            long[] oldest = null;
            for (int i = 0; i < size; i++) {
                int k = Math.floorMod(next - 1 - i, KEPT);
                if (at[k] - nanos <= 0) {
                    return moved[k];
                }
                oldest = moved[k];
            }
            return size == KEPT ? oldest : new long[JobState.values().length];
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.squall.core.engine;

import dev.squall.core.Durations;
import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Deletes jobs that finished more than {@code retain} ago, so that a store does not grow forever.
 *
 * <p>Once a minute (the first time a second after the start) it deletes slices of
 * {@link #SLICE} jobs, one store write each, until a slice comes back short or its time budget is
 * spent; the next run goes on from there. Slices are small so that each is a short write among the
 * others (~5 ms on SQLite), and there is no cap on how many a run takes: a server that finishes more
 * jobs a minute than one run could delete would otherwise fall behind for ever (a cap of 100 slices
 * a minute kept up with only ~1,700 jobs/s). It has its own thread: a long run never delays the
 * collection of results.
 */
final class Housekeeper {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");
    static final int SLICE = 1000;
    private static final long PERIOD_MILLIS = 60_000;
    private static final long BUDGET_MILLIS = 50_000;

    private final JobStore store;
    private final Duration retain;
    private final int slice;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "squall-housekeeping");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    Housekeeper(JobStore store, Duration retain) {
        this(store, retain, SLICE, System::currentTimeMillis);
    }

    Housekeeper(JobStore store, Duration retain, int slice, LongSupplier clock) {
        this.store = store;
        this.retain = retain;
        this.slice = slice;
        this.clock = clock;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::runSafely, 1_000, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One run: deletes expired jobs until none is left or the budget is spent; returns how many. */
    long run(long budgetMillis) {
        long started = System.nanoTime();
        long cutoff = clock.getAsLong() - retain.toMillis();
        long total = 0;
        int n;
        do {
            n = store.prune(cutoff, slice);
            total += n;
        } while (n == slice && !stopping && System.nanoTime() - started < budgetMillis * 1_000_000);
        if (total > 0) {
            LOG.info("housekeeping: deleted {} jobs finished more than {} ago ({} ms){}", total, Durations.format(retain),
                    (System.nanoTime() - started) / 1_000_000, n == slice ? "; more are left for the next run" : "");
        }
        return total;
    }

    private void runSafely() {
        try {
            run(BUDGET_MILLIS);
        } catch (Throwable t) {
            LOG.error("housekeeping failed; it runs again in a minute", t);
        }
    }

    void stop() {
        stopping = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

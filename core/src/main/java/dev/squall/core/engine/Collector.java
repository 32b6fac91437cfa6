package dev.squall.core.engine;

import dev.squall.core.JobLog;
import dev.squall.core.JobResult;
import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The article's periodic collector: every {@code collectEvery} it gathers the attempts that ended,
 * logs {@code Collected job: N} for each success, and puts a failed job back for its next attempt,
 * or declares it dead when it has none left. It is the single place where results land. A failure
 * inside one collection is logged and the next collection runs anyway.
 *
 * <p>It also collects early, as soon as {@link #EARLY_AT} results wait: at 80,000 short jobs a second,
 * two seconds of results kept the young GC copying ~40 MB of them at every pause (pauses of 20-60 ms
 * instead of 5-8 ms, measured with -Xlog:gc). Memory for finished results stays bounded either way.
 */
final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");

    static final int EARLY_AT = 4096;

    private final ConcurrentLinkedQueue<JobResult> finished = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean earlyPlanned = new java.util.concurrent.atomic.AtomicBoolean();
    private final Duration every;
    private final JobStore store;
    private final WakeSignal wake;
    private final QueueEngine.Counters counters;
    private final JobLog collected;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "squall-collector");
        t.setDaemon(true);
        return t;
    });

    Collector(Duration every, JobStore store, WakeSignal wake, QueueEngine.Counters counters, JobLog collected) {
        this.collected = collected;
        this.every = every;
        this.store = store;
        this.wake = wake;
        this.counters = counters;
    }

    void start() {
        long nanos = every.toNanos();
        timer.scheduleWithFixedDelay(this::collectSafely, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Called by whichever thread finished an attempt; cheap and non-blocking. */
    void finished(JobResult result) {
        finished.offer(result);
        if (waiting.incrementAndGet() >= EARLY_AT && earlyPlanned.compareAndSet(false, true)) {
            try {
                timer.execute(this::collectSafely);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                earlyPlanned.set(false); // the final collection at stop takes these
            }
        }
    }

    private void collectSafely() {
        earlyPlanned.set(false);
        try {
            collect();
        } catch (Throwable t) {
            LOG.error("collection failed; the next one runs in {} ms", every.toMillis(), t);
        }
    }

    void collect() {
        JobResult r;
        boolean requeued = false;
        while ((r = finished.poll()) != null) {
            waiting.decrementAndGet();
            if (r.succeeded()) {
                counters.succeeded.increment();
                collected.log("Collected job: {}", r.job().id());
            } else if (r.job().hasAttemptsLeft()) {
                counters.retried.increment();
                LOG.warn("job {} failed attempt {}/{}: {}; retrying", r.job().id(), r.job().attempt(), r.job().maxAttempts(), r.error());
                store.requeue(r.job().nextAttempt());
                requeued = true;
            } else {
                counters.dead.increment();
                LOG.error("job {} is dead after {} attempts: {}", r.job().id(), r.job().attempt(), r.error());
            }
        }
        if (requeued) {
            wake.wake();
        }
    }

    /** Stops the timer and collects what finished in the meantime. */
    void stop() {
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        collectSafely();
        collected.flush();
    }
}

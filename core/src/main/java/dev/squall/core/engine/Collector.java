package dev.squall.core.engine;

import dev.squall.core.Backoff;
import dev.squall.core.JobLog;
import dev.squall.core.JobRecord;
import dev.squall.core.JobResult;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Finish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The article's periodic collector, and the single place where results land: every
 * {@code collectEvery} it gathers the attempts that ended, decides for each (succeeded; failed and
 * back after a backoff; or dead), records all of them in the store in one batch, then logs
 * {@code Collected job: N} and tells anyone waiting. Each result carries when its attempt really
 * started and ended, so the store records those instants, not the collection's.
 *
 * <p>It also collects early, as soon as {@link #EARLY_AT} results or {@link #EARLY_CHARS} characters
 * of results wait: at 80,000 short jobs a second, two seconds of results kept the young GC copying
 * ~40 MB of them at every pause (pauses of 20-60 ms instead of 5-8 ms, measured with -Xlog:gc), and a
 * few large results must not wait two seconds in memory either.
 *
 * <p>When the store fails to record a batch, the results stay here and the collector backs off
 * (doubling from {@code collectEvery} to {@link #MAX_BACKOFF}) instead of trying again at once: a
 * full disk gets a few attempts a minute, not a tight loop that logs onto that same disk. Every
 * result is recorded once the store recovers.
 */
final class Collector {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");
    static final int EARLY_AT = 4096;
    /** Characters of results and errors waiting that start an early collection (~32 MiB of heap). */
    static final long EARLY_CHARS = 16L << 20;
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** An attempt that ended, with when a worker started it and when it ended (epoch millis). */
    record Ended(JobResult result, long startedAt, long endedAt) {
        /**
         * What the result weighs against {@link #EARLY_CHARS}: its characters when it has 4 Ki or more,
         * else 0. Small results are bounded by their count ({@link #EARLY_AT} of them are at most 16 Mi
         * characters), and weighing only large ones keeps a shared counter off the path of every job.
         */
        long weight() {
            long chars = (result.resultJson() == null ? 0 : result.resultJson().length())
                    + (result.error() == null ? 0 : result.error().length());
            return chars >= 4096 ? chars : 0;
        }
    }

    private final ConcurrentLinkedQueue<Ended> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong waitingChars = new AtomicLong();
    private final AtomicBoolean earlyPlanned = new AtomicBoolean();
    private final Duration every;
    private final JobStore store;
    private final Backoff backoff;
    /** Tells the engine when a failed attempt is due again: its job waits in the store until then. */
    private final java.util.function.LongConsumer dueAgain;
    private final JobWaiters waiters;
    /** The batch being recorded now (taken from {@link #finished}, not in the store yet); empty between collections. */
    private volatile List<Ended> recording = List.of();
    private final QueueEngine.Counters counters;
    private final JobLog collected;
    private final dev.squall.core.JobEvents events;
    /** Consecutive collections the store failed to record; 0 while it works. Timer thread only. */
    private int failures;
    /** While the store fails: no collection before this (System.nanoTime). Timer thread only. */
    private long retryAtNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "squall-collector");
        t.setDaemon(true);
        return t;
    });

    Collector(Duration every, JobStore store, Backoff backoff, java.util.function.LongConsumer dueAgain, JobWaiters waiters,
              QueueEngine.Counters counters, JobLog collected, dev.squall.core.JobEvents events) {
        this.events = events;
        this.every = every;
        this.store = store;
        this.backoff = backoff;
        this.dueAgain = dueAgain;
        this.waiters = waiters;
        this.counters = counters;
        this.collected = collected;
    }

    void start() {
        long nanos = every.toNanos();
        timer.scheduleWithFixedDelay(this::collectSafely, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Called by whichever thread finished an attempt; cheap and non-blocking. {@code startedAt} is
     * when a worker started the attempt (epoch millis); it ended now.
     */
    void finished(JobResult result, long startedAt) {
        offer(new Ended(result, startedAt, System.currentTimeMillis()));
    }

    private void offer(Ended e) {
        finished.offer(e);
        long weight = e.weight();
        long chars = weight == 0 ? waitingChars.get() : waitingChars.addAndGet(weight);
        if ((waiting.incrementAndGet() >= EARLY_AT || chars >= EARLY_CHARS) && failures == 0
                && earlyPlanned.compareAndSet(false, true)) {
            try {
                timer.execute(this::collectSafely);
            } catch (RejectedExecutionException stopping) {
                earlyPlanned.set(false); // the final collection at stop takes these
            }
        }
    }

    /** When the attempt of job {@code id} whose result waits here (or is being recorded) started; null if none does. */
    Long startedAt(String id) {
        for (Ended e : recording) {
            if (e.result().job().id().equals(id)) {
                return e.startedAt();
            }
        }
        for (Ended e : finished) {
            if (e.result().job().id().equals(id)) {
                return e.startedAt();
            }
        }
        return null;
    }

    /** Every attempt whose result waits here, with when it started. */
    void startedAttempts(java.util.function.BiConsumer<String, Long> sink) {
        for (Ended e : recording) {
            sink.accept(e.result().job().id(), e.startedAt());
        }
        for (Ended e : finished) {
            sink.accept(e.result().job().id(), e.startedAt());
        }
    }

    private void collectSafely() {
        earlyPlanned.set(false);
        if (failures > 0 && System.nanoTime() - retryAtNanos < 0) {
            return; // backing off: the store failed lately
        }
        try {
            collect();
        } catch (Throwable t) {
            LOG.error("collection failed; the next one runs in {} ms", every.toMillis(), t);
        }
    }

    void collect() {
        List<Ended> batch = new ArrayList<>();
        Ended e;
        while (batch.size() < 16_384 && (e = finished.poll()) != null) {
            waiting.decrementAndGet();
            long weight = e.weight();
            if (weight > 0) {
                waitingChars.addAndGet(-weight);
            }
            batch.add(e);
        }
        if (batch.isEmpty()) {
            return;
        }
        recording = batch; // still visible as started while the store records them
        try {
            record(batch);
        } finally {
            recording = List.of();
        }
    }

    private void record(List<Ended> batch) {
        long now = System.currentTimeMillis();
        List<Finish> decisions = new ArrayList<>(batch.size());
        for (Ended end : batch) {
            JobResult res = end.result();
            JobState state = res.succeeded() ? JobState.SUCCEEDED : res.job().hasAttemptsLeft() ? JobState.FAILED : JobState.DEAD;
            long runAt = state == JobState.FAILED ? now + backoff.delayMillis(res.job().attempt()) : 0;
            decisions.add(new Finish(res.job().id(), res.job().attempt(), state, runAt, end.endedAt(), res.resultJson(),
                    res.error(), end.startedAt()));
        }
        try {
            store.finish(decisions).join(); // results count once they are kept
        } catch (RuntimeException failure) {
            // Not kept: keep them here instead, for a later collection; a result is never dropped.
            batch.forEach(this::offer);
            failures++;
            long wait = Math.min(MAX_BACKOFF.toNanos(), every.toNanos() << Math.min(failures, 20));
            retryAtNanos = System.nanoTime() + wait;
            String why = failure.getCause() != null ? failure.getCause().toString() : failure.toString();
            if (failures == 1) {
                LOG.error("could not record {} results in the store ({}); they are kept, and recording is tried again "
                        + "in {} ms, then less and less often (at most every {} s)", batch.size(), why, wait / 1_000_000,
                        MAX_BACKOFF.toSeconds());
            } else {
                LOG.warn("still cannot record {} results in the store ({}), {} tries so far; next in {} ms",
                        waiting.get(), why, failures, wait / 1_000_000);
            }
            return;
        }
        if (failures > 0) {
            LOG.warn("the store records results again after {} failed tries", failures);
            failures = 0;
        }
        for (int i = 0; i < batch.size(); i++) {
            JobResult res = batch.get(i).result();
            Finish f = decisions.get(i);
            switch (f.state()) {
                case SUCCEEDED -> {
                    counters.succeeded.increment();
                    collected.log("Collected job: {}", res.job().id());
                }
                case FAILED -> {
                    counters.retried.increment();
                    dueAgain.accept(f.runAt());
                    LOG.warn("job {} failed attempt {}/{}: {}; retrying in {} ms", res.job().id(), res.job().attempt(),
                            res.job().maxAttempts(), res.error(), Math.max(0, f.runAt() - now));
                }
                default -> {
                    counters.dead.increment();
                    LOG.error("job {} is dead after {} attempts: {}", res.job().id(), res.job().attempt(), res.error());
                }
            }
            Ended end = batch.get(i);
            events.attemptEnded(res.job(), f.state(), end.startedAt(), end.endedAt());
            // Only jobs someone waits for are read back: one long-poll must not cost a read per job.
            if (f.state() != JobState.FAILED && waiters.isWaiting(res.job().id())) {
                store.get(res.job().id()).ifPresent(waiters::ended);
            }
        }
        if (!finished.isEmpty() && (waiting.get() >= EARLY_AT || waitingChars.get() >= EARLY_CHARS)
                && earlyPlanned.compareAndSet(false, true)) {
            timer.execute(this::collectSafely);
        }
    }

    /** Stops the timer and collects what finished in the meantime (a store that keeps failing gets 5 more tries). */
    void stop() {
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int failuresBefore = failures;
        for (int i = 0; i < 1000 && !finished.isEmpty() && failures - failuresBefore < 5; i++) {
            collect();
        }
        if (!finished.isEmpty()) {
            LOG.error("{} results could not be recorded before the stop; those jobs run again {}",
                    finished.size(), store.whenHeldJobsRunAgain(false));
        }
        collected.flush();
    }

    /** A record as it looks once its end is known, for waiters told by cancel. */
    void ended(JobRecord r) {
        waiters.ended(r);
    }
}

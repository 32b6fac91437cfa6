package dev.squall.core.engine;

import dev.squall.core.EngineConfig;
import dev.squall.core.EngineStats;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobLog;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Submission;
import dev.squall.core.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The engine: a store, a ready queue, workers that drain it, a dispatcher that wakes them, a collector. */
final class QueueEngine implements JobEngine {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");
    private static final Logger JOBS = LoggerFactory.getLogger("squall.jobs");
    private static final CompletableFuture<Submission> STOPPING =
            CompletableFuture.completedFuture(new Submission(Submission.Kind.STOPPING, null));

    private final EngineConfig config;
    private final JobStore store;
    private final Workers workers;
    private final WakeSignal wake = new WakeSignal();
    private final Counters counters = new Counters();
    private final JobWaiters waiters = new JobWaiters();
    private final Attempts attempts;
    private final JobLog schedulingLog;
    private final ReadyQueue ready;
    private final WorkerPool pool;
    private final Dispatcher dispatcher;
    private final Collector collector;
    private final Housekeeper housekeeper;
    private volatile boolean accepting = true;

    /** Counters shared by the engine's parts. */
    static final class Counters {
        final LongAdder accepted = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder started = new LongAdder();
        final LongAdder succeeded = new LongAdder();
        final LongAdder retried = new LongAdder();
        final LongAdder dead = new LongAdder();
    }

    QueueEngine(EngineConfig config, JobStore store, Workers workers) {
        if (config.queues() != null && !store.servesSomeQueues()) {
            throw new IllegalArgumentException(store.describe() + " runs every queue's jobs in one process: serving only "
                    + config.queues() + " would leave the others waiting forever; name queues only on a shared store");
        }
        this.config = config;
        this.store = store;
        this.workers = workers;
        this.schedulingLog = JobLog.of(JOBS, "scheduling", config.jobLogLimit());
        this.collector = new Collector(config.collectEvery(), store, config.backoff(), wake, waiters, counters,
                JobLog.of(JOBS, "Collected job", config.jobLogLimit()));
        // Enough claimed jobs in hand to keep every worker busy between two refills, in batches a
        // durable store can commit at once.
        this.ready = new ReadyQueue(store, workers.count() * 2, Math.min(1024, Math.max(store.claimBatch(), workers.count() * 2)),
                config.queues());
        store.handOff(ready);
        store.onNewWork(wake::wake);
        this.housekeeper = new Housekeeper(store, config.retain());
        this.pool = new WorkerPool(ready, workers, collector, counters, schedulingLog, config.jobTimeout(), config.asyncLimit());
        this.attempts = new Attempts(pool, collector);
        this.dispatcher = new Dispatcher(ready, pool, wake);
    }

    void start() {
        int recovered = store.recover(System.currentTimeMillis());
        if (recovered > 0) {
            LOG.warn("{} jobs were left running by a previous process; they are queued again (their attempt counts)", recovered);
        }
        collector.start();
        housekeeper.start();
        pool.start();
        dispatcher.start();
        LOG.info("Consumer Started! ({} {} workers, {} store, {} jobs waiting, collecting every {} ms)", workers.count(),
                workers.kind(), store.describe(), store.waiting(), config.collectEvery().toMillis());
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        if (!accepting) {
            counters.rejected.increment();
            return STOPPING;
        }
        CompletableFuture<Submission> f = store.submit(job);
        if (f.isDone() && !f.isCompletedExceptionally()) {
            Submission s = f.join();
            count(s); // the memory store answers at once: no second future on the intake path
            return s.job() != null && s.job().state() == JobState.RUNNING ? CompletableFuture.completedFuture(view(s)) : f;
        }
        return f.thenApply(s -> {
            count(s);
            return view(s);
        });
    }

    /**
     * The answer to a submit is the job as it was stored: a job the store took straight for a
     * worker (SQLite's hand-off) is {@code claimed}, without looking for it among the workers,
     * which on the intake path cost half the SQLite intake (a scan of the collector's results).
     */
    private static Submission view(Submission s) {
        return s.job() == null || s.job().state() != JobState.RUNNING ? s : new Submission(s.kind(), Attempts.claimed(s.job()));
    }

    private void count(Submission s) {
        switch (s.kind()) {
            case CREATED -> {
                counters.accepted.increment();
                wake.wake();
            }
            case DUPLICATE -> counters.duplicates.increment();
            default -> counters.rejected.increment();
        }
    }

    @Override
    public Optional<JobRecord> get(String id) {
        return store.get(id).map(attempts::view);
    }

    /**
     * A store knows {@code running} only; {@code claimed} and {@code running} are told apart here
     * (see {@link Attempts}), so a listing by either reads the store's running jobs and keeps those
     * of the asked state. Such a page may be shorter than the limit; {@code next} goes on from it.
     */
    @Override
    public JobStore.Page list(JobStore.JobQuery query) {
        JobState wanted = query.state();
        if (wanted != JobState.CLAIMED && wanted != JobState.RUNNING) {
            JobStore.Page page = store.list(query);
            if (page.jobs().stream().noneMatch(r -> r.state() == JobState.RUNNING)) {
                return page;
            }
            java.util.Map<String, Long> started = attempts.snapshot();
            return new JobStore.Page(page.jobs().stream().map(r -> Attempts.view(r, started)).toList(), page.next());
        }
        JobStore.Page page = store.list(new JobStore.JobQuery(JobState.RUNNING, query.kind(), query.limit(), query.after(), query.maxChars(), query.queue()));
        java.util.Map<String, Long> started = attempts.snapshot();
        List<JobRecord> kept = page.jobs().stream().map(r -> Attempts.view(r, started)).filter(r -> r.state() == wanted).toList();
        return new JobStore.Page(kept, page.next());
    }

    @Override
    public CompletableFuture<JobStore.Change> cancel(String id) {
        Job unstarted = ready.take(id);
        CompletableFuture<JobStore.Change> cancelled = unstarted == null
                ? store.cancel(id, System.currentTimeMillis())
                // Claimed ahead but not started: given back to waiting, then cancelled like any waiting
                // job. release() waits for the store, so not on the caller's thread (an event loop).
                : CompletableFuture.supplyAsync(() -> store.release(List.of(unstarted)))
                        .thenCompose(n -> store.cancel(id, System.currentTimeMillis()));
        return cancelled.thenApply(c -> {
            if (c.kind() == JobStore.Change.Kind.DONE) {
                collector.ended(c.job());
            }
            return c;
        });
    }

    @Override
    public CompletableFuture<JobStore.Change> retry(String id) {
        return store.retry(id, System.currentTimeMillis()).thenApply(c -> {
            if (c.kind() == JobStore.Change.Kind.DONE) {
                wake.wake();
            }
            return c;
        });
    }

    @Override
    public CompletableFuture<Optional<JobRecord>> awaitEnd(String id, Duration wait) {
        Optional<JobRecord> now = get(id);
        if (now.isEmpty() || now.get().state().terminal() || wait.isZero() || wait.isNegative()) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<JobRecord> ended = waiters.register(id);
        // The job may have ended between the read above and the registration.
        Optional<JobRecord> again = get(id);
        if (again.isPresent() && again.get().state().terminal()) {
            waiters.forget(id, ended);
            return CompletableFuture.completedFuture(again);
        }
        return ended.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS).thenApply(r -> {
            if (r == null) {
                waiters.forget(id, ended);
                return get(id);
            }
            return Optional.of(r);
        });
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(counters.accepted.sum(), counters.duplicates.sum(), counters.rejected.sum(), store.waiting(),
                ready.size(), pool.running(), counters.started.sum(), counters.succeeded.sum(), counters.retried.sum(), counters.dead.sum(),
                pool.stuck());
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public JobStore store() {
        return store;
    }

    @Override
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public void close() {
        // Fixed order: intake, dispatcher, workers (bounded by the grace), the collector and
        // housekeeping, what workers hold (worker processes), the store.
        accepting = false;
        dispatcher.stop();
        pool.stop(System.nanoTime() + config.shutdownGrace().toNanos());
        collector.stop();
        housekeeper.stop();
        schedulingLog.flush();
        store.handOff(null); // after this nothing lands in the ready queue, so the drain takes all
        store.onNewWork(null);
        List<Job> cut = pool.cut();
        List<Job> giveBack = new java.util.ArrayList<>(cut);
        giveBack.addAll(ready.drain());
        int unstarted = 0;
        try {
            unstarted = store.release(giveBack);
        } catch (RuntimeException e) {
            LOG.error("could not give back {} jobs at the stop; they run again at the next start", giveBack.size(), e);
        }
        if (!cut.isEmpty()) {
            LOG.warn("{} attempts were cut short by the stop (shutdown grace {} ms) or never started; given back, they run "
                    + "again at the next start with the same attempt", cut.size(), config.shutdownGrace().toMillis());
        }
        try {
            workers.closer().close();
        } catch (Exception e) {
            LOG.warn("closing the {} workers failed: {}", workers.kind(), e.toString());
        }
        long left = store.waiting();
        LOG.info("engine stopped: {}{}", stats(), left > 0 ? "; " + left + " jobs not run yet (" + unstarted
                + " of them given back unstarted), left to the store (" + store.describe() + ")" : "");
        store.close();
    }
}

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

/**
 * The engine: a store, a collector, and one lane or more, each a ready queue, workers that drain
 * it and a dispatcher that wakes them. One lane serves every queue unless some queues have workers
 * of their own ({@link EngineConfig#laneWorkers}): then each of those has a lane, and the other
 * queues share one, so that a flood of one queue's jobs never holds the workers another needs.
 */
final class QueueEngine implements JobEngine {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");
    private static final Logger JOBS = LoggerFactory.getLogger("squall.jobs");
    private static final CompletableFuture<Submission> STOPPING =
            CompletableFuture.completedFuture(new Submission(Submission.Kind.STOPPING, null));

    private final EngineConfig config;
    private final JobStore store;
    private final Workers workers;
    private final Counters counters = new Counters();
    private final JobWaiters waiters = new JobWaiters();
    private final Attempts attempts;
    private final JobLog schedulingLog;
    private final List<Lane> lanes;
    private final dev.squall.core.JobEvents events;
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

    /** Workers for some queues (null: all), the jobs claimed for them, and the dispatcher that wakes them. */
    private record Lane(java.util.Set<String> queues, ReadyQueue ready, WorkerPool pool, Dispatcher dispatcher, WakeSignal wake,
                        DueGate gate) {
    }

    QueueEngine(EngineConfig config, JobStore store, Workers workers) {
        this(config, store, workers, dev.squall.core.JobEvents.NONE);
    }

    QueueEngine(EngineConfig config, JobStore store, Workers workers, dev.squall.core.JobEvents events) {
        if (config.queues() != null && !store.servesSomeQueues()) {
            throw new IllegalArgumentException(store.describe() + " runs every queue's jobs in one process: serving only "
                    + config.queues() + " would leave the others waiting forever; name queues only on a shared store");
        }
        this.config = config;
        this.store = store;
        this.workers = workers;
        this.events = events;
        this.schedulingLog = JobLog.of(JOBS, "scheduling", config.jobLogLimit());
        this.collector = new Collector(config.collectEvery(), store, config.backoff(), this::dueAt, waiters, counters,
                JobLog.of(JOBS, "Collected job", config.jobLogLimit()), events);
        this.housekeeper = new Housekeeper(store, config.retain());
        List<Lane> built = new java.util.ArrayList<>();
        java.util.Set<String> shared = config.queues() == null ? null : new java.util.TreeSet<>(config.queues());
        for (var own : config.laneWorkers().entrySet()) {
            built.add(lane(java.util.Set.of(own.getKey()), workers.withCount(own.getValue()), "squall-dispatcher-" + own.getKey()));
            shared.remove(own.getKey());
        }
        if (shared == null || !shared.isEmpty()) {
            built.addFirst(lane(shared, workers, "squall-dispatcher"));
        }
        this.lanes = List.copyOf(built);
        store.onNewWork(this::newsOfWork);
        this.attempts = new Attempts(lanes.stream().map(Lane::pool).toList(), collector);
    }

    private Lane lane(java.util.Set<String> queues, Workers w, String dispatcherName) {
        // Enough claimed jobs in hand to keep every worker busy between two refills, in batches a
        // durable store can commit at once.
        DueGate gate = new DueGate(store.pollMillis());
        ReadyQueue ready = new ReadyQueue(store, w.count() * 2, Math.min(1024, Math.max(store.claimBatch(), w.count() * 2)),
                queues == null ? null : java.util.Set.copyOf(queues), gate, events);
        WorkerPool pool = new WorkerPool(ready, w, collector, counters, schedulingLog, config.jobTimeout(), config.asyncLimit());
        WakeSignal wake = new WakeSignal();
        return new Lane(queues, ready, pool, new Dispatcher(ready, pool, wake, dispatcherName), wake, gate);
    }

    /** How many times a producer woke a sleeping dispatcher, over every lane (for tests). */
    long dispatcherWakes() {
        return lanes.stream().mapToLong(l -> l.wake().wakes()).sum();
    }

    /** Whether every lane's dispatcher is in its deep sleep (idle past {@link Dispatcher#IDLE_TICKS}; for tests). */
    boolean dispatchersAsleep() {
        return lanes.stream().allMatch(l -> l.wake().asleep());
    }

    /** Every lane's dispatcher looks (its ready queue, and the store if its gate is open). */
    private void wakeLanes() {
        for (Lane l : lanes) {
            l.wake().wake();
        }
    }

    /** This engine left work in the store that may be due now (a retry, a release): every lane looks. */
    private void workMayBeDue() {
        for (Lane l : lanes) {
            l.gate().workMayBeDue();
            l.wake().wake();
        }
    }

    /** The store announced work this engine did not make: every lane claims, but new jobs here still may skip the claim. */
    private void newsOfWork() {
        for (Lane l : lanes) {
            l.gate().newsOfWork();
            l.wake().wake();
        }
    }

    /** A job waits in the store until {@code runAtMillis} (a delayed job, a failed attempt's backoff). */
    private void dueAt(long runAtMillis) {
        if (runAtMillis <= System.currentTimeMillis()) {
            workMayBeDue();
            return;
        }
        for (Lane l : lanes) {
            l.gate().dueAt(runAtMillis);
        }
    }

    void start() {
        int recovered = store.recover(System.currentTimeMillis());
        if (recovered > 0) {
            LOG.warn("{} jobs were left running by a previous process; they are queued again (their attempt counts)", recovered);
        }
        collector.start();
        housekeeper.start();
        for (Lane l : lanes) {
            l.pool().start();
            l.dispatcher().start();
        }
        LOG.info("Consumer Started! ({} {} workers{}, {} store, {} jobs waiting, collecting every {} ms)",
                lanes.stream().mapToInt(l -> l.pool().size()).sum(), workers.kind(), describeLanes(), store.describe(),
                store.waiting(), config.collectEvery().toMillis());
    }

    private String describeLanes() {
        if (lanes.size() == 1) {
            return lanes.getFirst().queues() == null ? "" : " for queues " + lanes.getFirst().queues();
        }
        return lanes.stream().map(l -> l.queues() + ": " + l.pool().size()).collect(java.util.stream.Collectors.joining(", ", " (", ")"));
    }

    @Override
    public CompletableFuture<Submission> submit(JobRecord job) {
        if (!accepting) {
            counters.rejected.increment();
            return STOPPING;
        }
        ReadyQueue handTo = claimAtSubmit(job);
        CompletableFuture<Submission> f = store.submit(job, handTo != null);
        if (f.isDone() && !f.isCompletedExceptionally()) {
            Submission s = f.join();
            landed(s, handTo);
            count(s); // the memory store answers at once: no second future on the intake path
            return s.job() != null && s.job().state() == JobState.RUNNING ? CompletableFuture.completedFuture(view(s)) : f;
        }
        return f.handle((s, error) -> {
            if (error != null) {
                if (handTo != null) {
                    handTo.unreserve();
                }
                throw error instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(error);
            }
            landed(s, handTo);
            count(s);
            return view(s);
        });
    }

    /**
     * Whether a new job should be stored as claimed and go straight to the first lane's workers
     * (the shared lane, when there is one; a lane of its own claims its jobs): only when the store
     * gains by it, the job is due, nothing due waits ahead of it as far as this engine knows, and
     * the lane has room. Returns the lane's queue with a place reserved, or null.
     */
    private ReadyQueue claimAtSubmit(JobRecord job) {
        if (!store.claimsOnSubmit()) {
            return null;
        }
        Lane first = lanes.getFirst();
        long now = System.currentTimeMillis();
        if (job.runAt() > now || !first.gate().nothingDue(now) || !first.ready().takes(job.queue()) || first.ready().reserve(1) == 0) {
            return null;
        }
        if (!accepting) { // close() waits only for places reserved before it stopped the intake
            first.ready().unreserve();
            return null;
        }
        return first.ready();
    }

    /** The store answered a submit: a job kept as claimed joins its lane; one left waiting is news of work. */
    private void landed(Submission s, ReadyQueue handTo) {
        boolean created = s.kind() == Submission.Kind.CREATED;
        if (created && s.job().state() == JobState.RUNNING && handTo != null) {
            JobRecord r = s.job();
            handTo.accept(new Job(r.id(), r.kind(), r.payloadJson(), r.attempt(), r.maxAttempts(), r.createdAt(), r.queue(), r.runAt()));
            return;
        }
        if (handTo != null) {
            handTo.unreserve();
        }
        if (created) {
            long runAt = s.job().runAt();
            for (Lane l : lanes) {
                if (dueAtOnce(s.job())) {
                    l.gate().workMayBeDue(); // due at once (count() wakes the dispatchers)
                } else {
                    l.gate().dueAt(runAt);
                }
            }
        }
    }

    /** Whether a new job was due when it was submitted (no delay, no run_at ahead). */
    private static boolean dueAtOnce(JobRecord job) {
        return job.runAt() <= job.createdAt();
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
                if (dueAtOnce(s.job())) {
                    // Only a job due now: a dispatcher woken for a job due later finds nothing due and
                    // sleeps again, a wake-up and a sleep per submit (delayed submits gained 1.23-1.66x
                    // without them: docs/architecture.md). Its bounded sleep, and the gate's due time,
                    // reach the job when it is due.
                    wakeLanes();
                }
                events.submitted(s.job());
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
        JobStore.Page page = store.list(query.withState(JobState.RUNNING));
        java.util.Map<String, Long> started = attempts.snapshot();
        List<JobRecord> kept = page.jobs().stream().map(r -> Attempts.view(r, started)).filter(r -> r.state() == wanted).toList();
        return new JobStore.Page(kept, page.next());
    }

    @Override
    public CompletableFuture<JobStore.Change> cancel(String id) {
        Job found = null;
        for (int i = 0; found == null && i < lanes.size(); i++) {
            found = lanes.get(i).ready().take(id);
        }
        Job unstarted = found;
        CompletableFuture<JobStore.Change> cancelled = unstarted == null
                ? store.cancel(id, System.currentTimeMillis())
                // Claimed ahead but not started: given back to waiting, then cancelled like any waiting
                // job. release() waits for the store, so not on the caller's thread (an event loop).
                : CompletableFuture.supplyAsync(() -> {
                            int n = store.release(List.of(unstarted));
                            events.released(List.of(unstarted));
                            return n;
                        })
                        .thenCompose(n -> store.cancel(id, System.currentTimeMillis()))
                        .whenComplete((c, e) -> workMayBeDue()); // released, and not cancelled after all: waiting again
        return cancelled.thenApply(c -> {
            if (c.kind() == JobStore.Change.Kind.DONE) {
                collector.ended(c.job());
                events.cancelled(c.job());
            }
            return c;
        });
    }

    @Override
    public CompletableFuture<JobStore.Change> retry(String id) {
        return store.retry(id, System.currentTimeMillis()).thenApply(c -> {
            if (c.kind() == JobStore.Change.Kind.DONE) {
                workMayBeDue();
                events.retried(c.job());
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
        int claimed = 0;
        int running = 0;
        int stuck = 0;
        for (Lane l : lanes) {
            claimed += l.ready().size();
            running += l.pool().running();
            stuck += l.pool().stuck();
        }
        return new EngineStats(counters.accepted.sum(), counters.duplicates.sum(), counters.rejected.sum(), store.waiting(),
                claimed, running, counters.started.sum(), counters.succeeded.sum(), counters.retried.sum(), counters.dead.sum(),
                stuck);
    }

    @Override
    public Optional<List<JobStore.Attempt>> attempts(String id) {
        List<JobStore.Attempt> all = new java.util.ArrayList<>(store.attempts(id));
        Optional<JobRecord> now = get(id);
        if (now.isEmpty()) {
            return Optional.empty();
        }
        JobRecord r = now.get();
        int last = all.size() - 1;
        if (last >= 0 && "running".equals(all.get(last).outcome()) && all.get(last).attempt() == r.attempt()) {
            JobStore.Attempt a = all.get(last);
            // The store marks a job running when it is claimed; whether (and when) a worker started it is known here.
            all.set(last, r.state() == JobState.CLAIMED ? new JobStore.Attempt(a.attempt(), "claimed", 0, 0, a.node(), null)
                    : new JobStore.Attempt(a.attempt(), "running", r.startedAt(), 0, a.node(), null));
        }
        return Optional.of(all);
    }

    @Override
    public List<JobEngine.Lane> lanes() {
        return lanes.stream().map(l -> new JobEngine.Lane(l.queues(), l.pool().size(), l.pool().running())).toList();
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
        lanes.forEach(l -> l.dispatcher().stop());
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        lanes.forEach(l -> l.pool().stop(deadline)); // one grace for all: the lanes' workers stop together
        collector.stop();
        housekeeper.stop();
        schedulingLog.flush();
        // New jobs being stored as claimed land in the ready queue once written: wait for them, so
        // that the drain below takes all (the intake stopped above, so no more are reserved).
        if (!lanes.getFirst().ready().awaitNoReservations(System.nanoTime() + 10_000_000_000L)) {
            LOG.warn("new jobs being stored as claimed did not land within 10 s; they run again {}", store.whenHeldJobsRunAgain(false));
        }
        store.onNewWork(null);
        List<Job> cut = new java.util.ArrayList<>();
        lanes.forEach(l -> cut.addAll(l.pool().cut()));
        List<Job> giveBack = new java.util.ArrayList<>(cut);
        lanes.forEach(l -> giveBack.addAll(l.ready().drain()));
        int unstarted = 0;
        boolean givenBack = true;
        try {
            unstarted = store.release(giveBack);
            events.released(giveBack);
        } catch (RuntimeException e) {
            // one line: during a database outage this is expected, and the cause says which
            LOG.error("could not give back {} jobs at the stop ({}); they run again {}", giveBack.size(), e.toString(),
                    store.whenHeldJobsRunAgain(false));
            givenBack = false;
        }
        if (!cut.isEmpty()) {
            LOG.warn("{} attempts were cut short by the stop (shutdown grace {} ms) or never started; {}they run again {}",
                    cut.size(), config.shutdownGrace().toMillis(), givenBack ? "given back, " : "", store.whenHeldJobsRunAgain(givenBack));
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

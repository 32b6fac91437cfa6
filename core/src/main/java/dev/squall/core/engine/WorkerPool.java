package dev.squall.core.engine;

import dev.squall.core.Job;
import dev.squall.core.JobResult;
import dev.squall.core.JobLog;
import dev.squall.core.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's workers. Each takes claimed jobs from the {@link ReadyQueue} (refilling it from the
 * store when it is empty) and runs them until there are none, then parks on the idle list until
 * the {@link Dispatcher} wakes it. A worker that keeps
 * finding work never parks, so a busy engine runs job after job without a single thread wake-up.
 *
 * <p>A job of an asynchronous kind ({@link dev.squall.core.JobHandler#async}) holds no worker: the
 * worker takes one of {@code asyncLimit} permits, starts the attempt and goes on; the attempt ends
 * when its stage completes (or its timeout passes), and gives the permit back.
 *
 * <p>At a stop, an attempt the grace cuts short, or one that never started, is not a failed attempt:
 * it is {@linkplain #cut() given back} with its attempt number, so a job on its last attempt runs
 * again at the next start, exactly as after a crash.
 *
 * <p>A worker whose attempt passes the job timeout is interrupted and replaced. A handler that
 * ignores the interrupt keeps its thread: such threads are counted as {@linkplain #stuck() stuck},
 * and at most as many as there are workers are replaced; past that the pool runs with fewer workers
 * rather than growing without bound.
 */
final class WorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");

    private final ReadyQueue ready;
    private final Workers workers;
    private final Collector collector;
    private final QueueEngine.Counters counters;
    private final JobLog scheduling;
    private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final LongAdder parks = new LongAdder();
    private final List<Worker> all = new CopyOnWriteArrayList<>();
    private final long timeoutNanos;
    private volatile boolean stopping;
    private final Semaphore asyncPermits;
    /** Attempts of asynchronous kinds in flight, each removed exactly once by whoever ends it first. */
    private final ConcurrentHashMap<Job, InFlight> inFlight = new ConcurrentHashMap<>();
    /** Attempts a stop cut short or that never started: given back to the store, not failed. */
    private final List<Job> cut = new CopyOnWriteArrayList<>();
    /** Workers retired at a timeout whose thread has not come back yet. */
    private final AtomicInteger stuck = new AtomicInteger();
    private final LongAdder replaced = new LongAdder();

    private record InFlight(CompletableFuture<JobResult> result, long startedNanos, long startedAt) {
    }

    WorkerPool(ReadyQueue ready, Workers workers, Collector collector, QueueEngine.Counters counters,
               JobLog scheduling, Duration jobTimeout, int asyncLimit) {
        this.asyncPermits = new Semaphore(asyncLimit);
        this.timeoutNanos = jobTimeout.isZero() ? Long.MAX_VALUE : jobTimeout.toNanos();
        this.ready = ready;
        this.workers = workers;
        this.collector = collector;
        this.counters = counters;
        this.scheduling = scheduling;
    }

    void start() {
        for (int i = 0; i < workers.count(); i++) {
            startWorker();
        }
    }

    private void startWorker() {
        Worker w = new Worker();
        w.thread = workers.threads().newThread(w);
        all.add(w);
        w.thread.start();
    }

    /**
     * Abandons attempts that ran past the job timeout: each becomes a failed attempt at once (so the
     * job is retried or declared dead, never stuck), its thread is interrupted and retired, and a
     * fresh worker takes its place so that capacity stays the same. If the old thread ever comes
     * back, its late result is thrown away.
     */
    void abandonOverdue(long nowNanos) {
        if (timeoutNanos == Long.MAX_VALUE) {
            return;
        }
        for (Worker w : all) {
            Job job = w.owned.get();
            if (job != null && nowNanos - w.startedNanos > timeoutNanos && w.owned.compareAndSet(job, null)) {
                running.decrementAndGet();
                all.remove(w);
                w.retired = true;
                stuck.incrementAndGet(); // until its thread comes back (Worker.run's finally)
                w.thread.interrupt();
                boolean replace = !stopping && stuck.get() <= workers.count();
                LOG.warn("job {} ran past the job timeout of {} ms: attempt {} abandoned, {}", job.id(),
                        timeoutNanos / 1_000_000, job.attempt(), replace ? "its worker replaced"
                                : "its worker NOT replaced (" + stuck.get() + " workers are stuck in handlers that ignore interrupts)");
                collector.finished(JobResult.failure(job, "timed out after " + timeoutNanos / 1_000_000 + " ms", -1, timeoutNanos),
                        w.startedAt);
                if (replace) {
                    replaced.increment();
                    startWorker();
                }
            }
        }
        for (var e : inFlight.entrySet()) {
            if (nowNanos - e.getValue().startedNanos() > timeoutNanos && inFlight.remove(e.getKey(), e.getValue())) {
                Job job = e.getKey();
                LOG.warn("job {} ran past the job timeout of {} ms: attempt {} abandoned, its stage cancelled", job.id(),
                        timeoutNanos / 1_000_000, job.attempt());
                endAsync(job, JobResult.failure(job, "timed out after " + timeoutNanos / 1_000_000 + " ms", -1, timeoutNanos),
                        e.getValue().startedAt());
                e.getValue().result().cancel(true);
            }
        }
    }

    /** Starts {@code job} if its kind is asynchronous; false when it is a blocking one for this thread to run. */
    private boolean startAsync(Job job) {
        if (!workers.start().handles(job)) {
            return false;
        }
        try {
            // Bounded: with the limit reached this worker waits for a permit, like a busy worker.
            while (!asyncPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (stopping) {
                    cut.add(job); // never started: given back at the stop
                    return true;
                }
            }
        } catch (InterruptedException e) {
            cut.add(job);
            Thread.currentThread().interrupt();
            return true;
        }
        counters.started.increment();
        running.incrementAndGet();
        long startedAt = System.currentTimeMillis();
        CompletableFuture<JobResult> result;
        try {
            result = workers.start().start(job);
        } catch (Throwable t) {
            result = CompletableFuture.completedFuture(JobResult.failure(job, "could not start: " + t, -1, 0));
        }
        InFlight attempt = new InFlight(result, System.nanoTime(), startedAt);
        inFlight.put(job, attempt); // before the callback: a stage already complete ends it at once
        result.whenComplete((r, error) -> {
            if (!inFlight.remove(job, attempt)) {
                if (!(error instanceof CancellationException)) {
                    LOG.warn("job {} attempt {} came back after its timeout; its result is thrown away", job.id(), job.attempt());
                }
                return;
            }
            endAsync(job, error == null ? r : JobResult.failure(job, "worker error: " + error, -1, 0), startedAt);
        });
        return true;
    }

    private void endAsync(Job job, JobResult result, long startedAt) {
        running.decrementAndGet();
        asyncPermits.release();
        collector.finished(result, startedAt);
    }

    /** Workers retired at a timeout whose handler has not returned yet. */
    int stuck() {
        return stuck.get();
    }

    /** Workers started to replace ones retired at a timeout. */
    long replaced() {
        return replaced.sum();
    }

    /**
     * After {@link #stop}: the attempts the stop cut short or that never started, to be given back
     * to the store with their attempt number (not counted as failed).
     */
    List<Job> cut() {
        return List.copyOf(cut);
    }

    int size() {
        return workers.count();
    }

    int running() {
        return running.get();
    }

    /** Wakes up to {@code n} idle workers; returns how many it woke. */
    int wake(int n) {
        int woken = 0;
        while (woken < n) {
            Worker w = idle.poll();
            if (w == null) {
                break;
            }
            w.idle.set(false);
            LockSupport.unpark(w.thread);
            woken++;
        }
        return woken;
    }

    /** How many times a worker found the store empty and parked (the dispatcher's signal that workers keep up). */
    long parks() {
        return parks.sum();
    }

    /** Lets running jobs finish until the deadline, then interrupts what still runs. */
    void stop(long deadlineNanos) {
        stopping = true;
        for (Worker w : all) {
            LockSupport.unpark(w.thread);
        }
        for (Worker w : all) {
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left <= 0 || !w.thread.join(Duration.ofNanos(left))) {
                    w.thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Worker w : all) {
            try {
                w.thread.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // A handler that ignores the interrupt: its attempt is given back, and its late result ignored.
            Job job = w.owned.get();
            if (job != null && w.owned.compareAndSet(job, null)) {
                running.decrementAndGet();
                cutShort(job);
                LOG.warn("job {} attempt {} did not stop within the shutdown grace; it is given back and runs again at "
                        + "the next start", job.id(), job.attempt());
            }
        }
        // Asynchronous attempts get the same grace; what is left then is cancelled and given back.
        while (!inFlight.isEmpty() && System.nanoTime() < deadlineNanos) {
            LockSupport.parkNanos(10_000_000L);
        }
        for (var e : inFlight.entrySet()) {
            if (inFlight.remove(e.getKey(), e.getValue())) {
                running.decrementAndGet();
                asyncPermits.release();
                cutShort(e.getKey());
                e.getValue().result().cancel(true);
            }
        }
    }

    private void cutShort(Job job) {
        cut.add(job);
    }

    /** When the attempt of job {@code id} that a worker (or an asynchronous stage) runs now started; null if none runs it. */
    Long startedAt(String id) {
        for (Worker w : all) {
            Job j = w.owned.get();
            if (j != null && j.id().equals(id)) {
                return w.startedAt;
            }
        }
        for (var e : inFlight.entrySet()) {
            if (e.getKey().id().equals(id)) {
                return e.getValue().startedAt();
            }
        }
        return null;
    }

    /** Every attempt running now, with when it started. */
    void startedAttempts(java.util.function.BiConsumer<String, Long> sink) {
        for (Worker w : all) {
            Job j = w.owned.get();
            if (j != null) {
                sink.accept(j.id(), w.startedAt);
            }
        }
        inFlight.forEach((job, attempt) -> sink.accept(job.id(), attempt.startedAt()));
    }

    private final class Worker implements Runnable {
        final AtomicBoolean idle = new AtomicBoolean();
        /** The run this worker owns; taken away (set to null) by whoever reports its end first. */
        final AtomicReference<Job> owned = new AtomicReference<>();
        volatile long startedNanos;
        volatile boolean retired;
        volatile long startedAt;
        Thread thread;

        @Override
        public void run() {
            try {
                loop();
            } finally {
                if (retired) {
                    stuck.decrementAndGet(); // the thread came back after all
                    if (!stopping && all.size() < workers.count()) {
                        startWorker(); // a place left empty while too many were stuck
                    }
                }
            }
        }

        private void loop() {
            while (!stopping && !retired) {
                Job job;
                try {
                    job = ready.next();
                } catch (Throwable t) {
                    // The store failed to hand out jobs (a disk error, say): a worker never dies of it.
                    LOG.error("worker {} could not claim jobs; trying again shortly", thread.getName(), t);
                    LockSupport.parkNanos(this, 500_000_000L);
                    continue;
                }
                if (job == null) {
                    parkUntilWoken();
                    continue;
                }
                runOne(job);
            }
        }

        private void parkUntilWoken() {
            parks.increment();
            if (idle.compareAndSet(false, true)) {
                WorkerPool.this.idle.offer(this);
            }
            // Woken by the dispatcher (which wakes idle workers on every tick while jobs wait, so a
            // lost wake-up is repaired at the next tick) or by the stop. The bound is only a safety
            // net: an idle pool must not wake (10,000 virtual workers once a second was 10,000 wake-ups/s).
            LockSupport.parkNanos(this, 60_000_000_000L);
        }

        private void runOne(Job job) {
            scheduling.log("scheduling {}", job.id());
            if (startAsync(job)) {
                return;
            }
            counters.started.increment();
            running.incrementAndGet();
            startedNanos = System.nanoTime();
            startedAt = System.currentTimeMillis(); // before owned: whoever sees the job sees its start
            owned.set(job);
            JobResult result;
            boolean interrupted = false;
            try {
                result = workers.work().run(job);
            } catch (InterruptedException e) {
                interrupted = true;
                result = JobResult.failure(job, "interrupted", -1, 0);
            } catch (Throwable t) {
                LOG.error("worker failed running job {}; recorded as a failed attempt", job.id(), t);
                result = JobResult.failure(job, "worker error: " + t, -1, 0);
            }
            interrupted |= Thread.interrupted();
            if (!owned.compareAndSet(job, null)) {
                LOG.warn("job {} attempt {} came back after its timeout or the stop; its result is thrown away", job.id(),
                        job.attempt());
                return;
            }
            running.decrementAndGet();
            if (stopping && interrupted && !result.succeeded()) {
                // Cut short by the end of the shutdown grace: not the job's failure. Given back, so
                // it runs again at the next start with this attempt, as after a crash.
                cutShort(job);
                return;
            }
            collector.finished(result, startedAt);
            if (interrupted && !stopping) {
                LOG.warn("worker {} was interrupted while running job {}; continuing", thread.getName(), job.id());
            }
        }
    }
}

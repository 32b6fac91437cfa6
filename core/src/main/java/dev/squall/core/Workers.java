package dev.squall.core;

import dev.squall.core.process.ProcessPoolExecutor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * The engine's bounded executor: how many workers run jobs at once, what kind of thread each worker
 * is, and how a worker runs one job. The engine's workers take jobs from the store themselves, so a
 * busy engine hands work over without waking a thread per job.
 *
 * <pre>{@code
 * Workers threads = Workers.platformThreads(20, runner);       // the article's ThreadPoolExecutor(20)
 * Workers virtual = Workers.virtualThreads(10_000, runner);    // blocking code at coroutine scale
 * Workers procs   = Workers.processes(pool);                   // one worker per worker JVM
 * }</pre>
 *
 * @param kind    a short name for logs: threads, virtual or process
 * @param count   how many jobs run at once
 * @param threads makes the worker threads
 * @param work    runs one job on the calling worker thread
 * @param closer  releases what the workers use (worker processes), after the workers stopped
 */
public record Workers(String kind, int count, ThreadFactory threads, Work work, AutoCloseable closer) {

    /** Runs one job on the calling thread; never throws for a failed job (that is a failed result). */
    @FunctionalInterface
    public interface Work {
        JobResult run(Job job) throws InterruptedException;
    }

    public Workers {
        if (count < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + count);
        }
    }

    public static Workers platformThreads(int count, JobRunner runner) {
        return new Workers("threads", count, Thread.ofPlatform().name("squall-worker-", 1).daemon(true).factory(),
                runner::run, () -> { });
    }

    public static Workers virtualThreads(int count, JobRunner runner) {
        return new Workers("virtual", count, Thread.ofVirtual().name("squall-vworker-", 1).factory(), runner::run, () -> { });
    }

    /** One worker per process of {@code pool}; the engine closes the pool when it stops. */
    public static Workers processes(ProcessPoolExecutor pool) {
        return new Workers("process", pool.parallelism(), Thread.ofPlatform().name("squall-pworker-", 1).daemon(true).factory(),
                job -> {
                    CompletableFuture<JobResult> attempt = pool.execute(job);
                    try {
                        return attempt.get();
                    } catch (ExecutionException e) {
                        return JobResult.failure(job, "not run: " + e.getCause().getMessage(), -1, 0);
                    } catch (InterruptedException e) {
                        // Abandoned (job timeout) or stopping: the pool kills the process still running it.
                        attempt.cancel(true);
                        throw e;
                    }
                },
                pool);
    }
}

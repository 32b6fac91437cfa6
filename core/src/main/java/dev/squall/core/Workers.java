package dev.squall.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;

/**
 * The engine's bounded executor: how many workers run jobs at once, what kind of thread each worker
 * is, and how a worker runs one job. The engine's workers take jobs from the store themselves, so a
 * busy engine hands work over without waking a thread per job.
 *
 * <pre>{@code
 * Workers threads = Workers.platformThreads(20, runner);       // the article's ThreadPoolExecutor(20)
 * Workers virtual = Workers.virtualThreads(10_000, runner);    // blocking code at coroutine scale
 * Workers procs   = pool.workers();                            // one worker per worker JVM (ProcessPoolExecutor)
 * }</pre>
 *
 * @param kind    a short name for logs: threads, virtual or process
 * @param count   how many jobs run at once
 * @param threads makes the worker threads
 * @param work    runs one job on the calling worker thread
 * @param start   starts a job of an asynchronous kind without holding the worker, or answers null
 *                for a blocking kind (then {@code work} runs it)
 * @param closer  releases what the workers use (worker processes), after the workers stopped
 */
public record Workers(String kind, int count, ThreadFactory threads, Work work, Start start, AutoCloseable closer) {

    /** Runs one job on the calling thread; never throws for a failed job (that is a failed result). */
    @FunctionalInterface
    public interface Work {
        JobResult run(Job job) throws InterruptedException;
    }

    /** Starts attempts of asynchronous kinds ({@link JobHandler#async}) without holding a worker. */
    public interface Start {
        /** For workers that run every kind as a blocking one (worker processes). */
        Start NONE = new Start() {
            @Override
            public boolean handles(Job job) {
                return false;
            }

            @Override
            public CompletableFuture<JobResult> start(Job job) {
                throw new UnsupportedOperationException("no asynchronous kinds here");
            }
        };

        /** The asynchronous kinds of {@code runner}. */
        static Start of(JobRunner runner) {
            return new Start() {
                @Override
                public boolean handles(Job job) {
                    return runner.isAsync(job);
                }

                @Override
                public CompletableFuture<JobResult> start(Job job) {
                    return runner.start(job);
                }
            };
        }

        /** Whether {@code job}'s kind is asynchronous (then {@link #start} runs it, not {@code work}). */
        boolean handles(Job job);

        /** Starts the attempt; the future completes with its result. Cancelling it cancels the attempt. */
        CompletableFuture<JobResult> start(Job job);
    }

    public Workers {
        if (count < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + count);
        }
    }

    /**
     * The same workers, {@code n} of them: for a lane of the engine that serves some queues with
     * its own count ({@code --queues mail:4}). The lanes share the thread factory and the closer
     * (the engine closes it once).
     */
    public Workers withCount(int n) {
        return new Workers(kind, n, threads, work, start, closer);
    }

    public static Workers platformThreads(int count, JobRunner runner) {
        return new Workers("threads", count, Thread.ofPlatform().name("squall-worker-", 1).daemon(true).factory(),
                runner::run, Start.of(runner), () -> { });
    }

    public static Workers virtualThreads(int count, JobRunner runner) {
        return new Workers("virtual", count, Thread.ofVirtual().name("squall-vworker-", 1).factory(), runner::run, Start.of(runner),
                () -> { });
    }
}

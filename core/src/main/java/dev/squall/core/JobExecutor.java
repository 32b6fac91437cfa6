package dev.squall.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where blocking work runs, off the event loop: Java's answers to the article's executors.
 *
 * <pre>{@code
 * JobExecutor pool = JobExecutors.threads(20, 1000, runner);  // executor.JobExecutors makes them
 * pool.execute(job).thenAccept(result -> ...);                 // completes on a worker thread
 * pool.close(Duration.ofSeconds(30));
 * }</pre>
 *
 * Every executor is bounded: {@code parallelism} jobs run at once and at most {@code queueCapacity}
 * wait; past that, {@link #execute} fails at once with {@link ExecutorFullException}, so overload is
 * an explicit answer instead of an unbounded queue.
 */
public interface JobExecutor extends AutoCloseable {

    /**
     * Runs the job's attempt. The future completes with the attempt's result (a failed attempt is a
     * result, not an exceptional completion), or exceptionally with {@link ExecutorFullException}.
     */
    CompletableFuture<JobResult> execute(Job job);

    /** How many jobs run at once. */
    int parallelism();

    /** Stops taking jobs, waits up to {@code grace} for running ones, then interrupts them. */
    void close(Duration grace);

    @Override
    default void close() {
        close(Duration.ofSeconds(30));
    }
}

package dev.squall.core;

import dev.squall.core.engine.PlatformThreadExecutor;
import dev.squall.core.engine.VirtualThreadExecutor;
import dev.squall.core.process.JavaLauncher;
import dev.squall.core.process.ProcessPoolExecutor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where blocking work runs, off the event loop: Java's answers to the article's executors.
 *
 * <pre>{@code
 * JobExecutor pool = JobExecutor.threads(20, 1000, runner);   // ThreadPoolExecutor(20)
 * pool.execute(job).thenAccept(result -> ...);                 // completes on a worker thread
 * pool.close(Duration.ofSeconds(30));
 * }</pre>
 *
 * Every executor is bounded: {@code parallelism} jobs run at once and at most {@code queueCapacity}
 * wait; past that, {@link #execute} fails at once with {@link ExecutorFullException}, so overload is
 * an explicit answer instead of an unbounded queue.
 */
public interface JobExecutor extends AutoCloseable {

    /** A fixed pool of platform threads, like the article's {@code ThreadPoolExecutor(20)}. */
    static JobExecutor threads(int workers, int queueCapacity, JobRunner runner) {
        return new PlatformThreadExecutor(workers, queueCapacity, runner);
    }

    /** A virtual thread per job, at most {@code permits} at once: blocking code at coroutine scale. */
    static JobExecutor virtualThreads(int permits, JobRunner runner) {
        return new VirtualThreadExecutor(permits, runner);
    }

    /**
     * {@code workers} worker JVMs fed JSON over pipes, like the article's {@code ProcessPoolExecutor}.
     * Blocks until every worker has started.
     */
    static JobExecutor processes(int workers, int queueCapacity, JavaLauncher launcher, Duration defaultWork) {
        return ProcessPoolExecutor.start(workers, queueCapacity, launcher, defaultWork);
    }

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

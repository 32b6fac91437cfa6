package dev.squall.core.executor;

import dev.squall.core.JobExecutor;
import dev.squall.core.JobRunner;
import dev.squall.core.process.JavaLauncher;
import dev.squall.core.process.ProcessPoolExecutor;

import java.time.Duration;

/**
 * Makes the executors of the article's stages ({@link JobExecutor}): Java's answers to its
 * {@code ThreadPoolExecutor} and {@code ProcessPoolExecutor}, and virtual threads.
 *
 * <pre>{@code
 * JobExecutor pool = JobExecutors.threads(20, 1000, runner);   // ThreadPoolExecutor(20)
 * pool.execute(job).thenAccept(result -> ...);                  // completes on a worker thread
 * pool.close(Duration.ofSeconds(30));
 * }</pre>
 */
public final class JobExecutors {
    private JobExecutors() {
    }

    /** A fixed pool of platform threads, like the article's {@code ThreadPoolExecutor(20)}. */
    public static JobExecutor threads(int workers, int queueCapacity, JobRunner runner) {
        return new PlatformThreadExecutor(workers, queueCapacity, runner);
    }

    /** A virtual thread per job, at most {@code permits} at once: blocking code at coroutine scale. */
    public static JobExecutor virtualThreads(int permits, JobRunner runner) {
        return new VirtualThreadExecutor(permits, runner);
    }

    /**
     * {@code workers} worker JVMs fed JSON over pipes, like the article's {@code ProcessPoolExecutor}.
     * Blocks until every worker has started.
     */
    public static JobExecutor processes(int workers, int queueCapacity, JavaLauncher launcher, Duration defaultWork) {
        return ProcessPoolExecutor.start(workers, queueCapacity, launcher, defaultWork);
    }
}

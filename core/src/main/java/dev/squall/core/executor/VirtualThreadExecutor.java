package dev.squall.core.executor;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobResult;
import dev.squall.core.JobRunner;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A virtual thread per job. Virtual threads are cheap but what they call is not (memory, sockets,
 * the database), so a permit count still bounds how many run at once.
 */
final class VirtualThreadExecutor implements JobExecutor {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("squall-vjob-", 0).factory());
    private final Semaphore permits;
    private final int maxConcurrent;
    private final JobRunner runner;

    public VirtualThreadExecutor(int maxConcurrent, JobRunner runner) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("permits must be at least 1");
        }
        this.maxConcurrent = maxConcurrent;
        this.permits = new Semaphore(maxConcurrent);
        this.runner = runner;
    }

    @Override
    public CompletableFuture<JobResult> execute(Job job) {
        CompletableFuture<JobResult> done = new CompletableFuture<>();
        if (!permits.tryAcquire()) {
            done.completeExceptionally(new ExecutorFullException("all " + maxConcurrent + " virtual-thread permits are taken"));
            return done;
        }
        try {
            threads.execute(() -> {
                try {
                    done.complete(runner.run(job));
                } finally {
                    permits.release();
                }
            });
        } catch (RuntimeException e) {
            permits.release();
            done.completeExceptionally(new ExecutorFullException("executor is shut down"));
        }
        return done;
    }

    @Override
    public int parallelism() {
        return maxConcurrent;
    }

    @Override
    public void close(Duration grace) {
        Shutdown.gracefully(threads, grace);
    }
}

package dev.squall.core.executor;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobResult;
import dev.squall.core.JobRunner;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A fixed pool of named platform threads with a bounded waiting line. */
final class PlatformThreadExecutor implements JobExecutor {
    private final ThreadPoolExecutor pool;
    private final JobRunner runner;
    private final int workers;

    public PlatformThreadExecutor(int workers, int queueCapacity, JobRunner runner) {
        if (workers < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("workers and queue capacity must be at least 1");
        }
        this.workers = workers;
        this.runner = runner;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                r -> {
                    Thread t = new Thread(r, "squall-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.prestartAllCoreThreads();
    }

    @Override
    public CompletableFuture<JobResult> execute(Job job) {
        CompletableFuture<JobResult> done = new CompletableFuture<>();
        try {
            pool.execute(() -> done.complete(runner.run(job)));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new ExecutorFullException(
                    "all " + workers + " worker threads are busy and " + pool.getQueue().size() + " jobs are waiting"));
        }
        return done;
    }

    @Override
    public int parallelism() {
        return workers;
    }

    @Override
    public void close(Duration grace) {
        Shutdown.gracefully(pool, grace);
    }
}

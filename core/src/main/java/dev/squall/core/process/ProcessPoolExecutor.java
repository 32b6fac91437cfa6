package dev.squall.core.process;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A pool of worker JVMs, the Java form of the article's {@code ProcessPoolExecutor}: each job is sent
 * to an idle worker as a line of JSON and its answer comes back the same way. One feeder thread per
 * worker keeps the exchange strictly one-job-at-a-time per process.
 *
 * <p>A worker that dies is noticed by its feeder (its pipe closes), its job is answered with an
 * error naming the dead process, and a new worker takes its place: a death never leaves a caller
 * waiting.
 */
public final class ProcessPoolExecutor implements JobExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessPoolExecutor.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final BlockingQueue<Task> waiting;
    private final List<WorkerSlot> slots = new ArrayList<>();
    private final int workers;
    private volatile boolean closing;

    record Task(Job job, CompletableFuture<JobResult> done) {
    }

    private ProcessPoolExecutor(int workers, int queueCapacity) {
        this.workers = workers;
        this.waiting = new ArrayBlockingQueue<>(queueCapacity);
    }

    /** Starts {@code workers} processes and waits until each has said it is ready. */
    public static ProcessPoolExecutor start(int workers, int queueCapacity, JavaLauncher launcher, Duration defaultWork) {
        if (workers < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("workers and queue capacity must be at least 1");
        }
        ProcessPoolExecutor pool = new ProcessPoolExecutor(workers, queueCapacity);
        long t0 = System.nanoTime();
        CountDownLatch ready = new CountDownLatch(workers);
        for (int i = 1; i <= workers; i++) {
            WorkerSlot slot = new WorkerSlot(i, launcher, defaultWork, pool, ready);
            pool.slots.add(slot);
            slot.start();
        }
        try {
            if (!ready.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                pool.close(Duration.ZERO);
                throw new IllegalStateException("worker processes did not start within " + START_TIMEOUT.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.close(Duration.ZERO);
            throw new IllegalStateException("interrupted while starting worker processes", e);
        }
        LOG.info("process pool: {} worker processes ready in {} ms (pids {})", workers,
                (System.nanoTime() - t0) / 1_000_000, pool.pids());
        return pool;
    }

    /** The PIDs of the current worker processes. */
    public List<Long> pids() {
        return slots.stream().map(WorkerSlot::pid).toList();
    }

    /** The PIDs of the worker processes that are ready for a job now (a replacement that is starting is not). */
    public List<Long> readyPids() {
        return slots.stream().map(WorkerSlot::readyPid).filter(pid -> pid > 0).toList();
    }

    /** How many workers are running a job right now. */
    public int busyWorkers() {
        return (int) slots.stream().filter(WorkerSlot::busy).count();
    }

    @Override
    public CompletableFuture<JobResult> execute(Job job) {
        CompletableFuture<JobResult> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new ExecutorFullException("the process pool is shutting down"));
        } else if (!waiting.offer(new Task(job, done))) {
            done.completeExceptionally(new ExecutorFullException(
                    "all " + workers + " worker processes are busy and " + waiting.size() + " jobs are waiting"));
        }
        return done;
    }

    Task nextTask() throws InterruptedException {
        return waiting.poll(100, TimeUnit.MILLISECONDS);
    }

    boolean closing() {
        return closing;
    }

    /**
     * The engine's workers over this pool: one per worker process, each running its attempt in its
     * process and waiting for the answer. The engine closes the pool when it stops.
     */
    public dev.squall.core.Workers workers() {
        return new dev.squall.core.Workers("process", parallelism(), Thread.ofPlatform().name("squall-pworker-", 1).daemon(true).factory(),
                job -> {
                    CompletableFuture<JobResult> attempt = execute(job);
                    try {
                        return attempt.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        return JobResult.failure(job, "not run: " + e.getCause().getMessage(), -1, 0);
                    } catch (InterruptedException e) {
                        // Abandoned (job timeout) or stopping: the pool kills the process still running it.
                        attempt.cancel(true);
                        throw e;
                    }
                },
                dev.squall.core.Workers.Start.NONE, // a worker process runs every kind as a blocking one
                this);
    }

    @Override
    public int parallelism() {
        return workers;
    }

    @Override
    public void close(Duration grace) {
        closing = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (WorkerSlot slot : slots) {
            slot.awaitIdle(deadline);
        }
        for (WorkerSlot slot : slots) {
            slot.stop();
        }
        Task t;
        while ((t = waiting.poll()) != null) {
            t.done().completeExceptionally(new ExecutorFullException("the process pool shut down before the job ran"));
        }
    }
}

package dev.squall.core.engine;

import dev.squall.core.ExecutorFullException;
import dev.squall.core.Job;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobResult;
import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Semaphore;

/**
 * The article's consumer: takes jobs from the store and hands them to the executor, never more than
 * the executor has workers for. It is the only thread that sleeps when there is no work, and it
 * is woken only when it sleeps ({@link WakeSignal}).
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger("squall.jobs");

    private final JobStore store;
    private final JobExecutor executor;
    private final Semaphore slots;
    private final int slotCount;
    private final WakeSignal wake;
    private final Collector collector;
    private final QueueEngine.Counters counters;
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean running = true;

    Dispatcher(JobStore store, JobExecutor executor, int slotCount, WakeSignal wake, Collector collector, QueueEngine.Counters counters) {
        this.store = store;
        this.executor = executor;
        this.slotCount = slotCount;
        this.slots = new Semaphore(slotCount);
        this.wake = wake;
        this.collector = collector;
        this.counters = counters;
        this.thread = new Thread(this::loop, "squall-dispatcher");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    int slots() {
        return slotCount;
    }

    /** Attempts handed to the executor and not yet finished. */
    int running() {
        return inFlight.get();
    }

    private void loop() {
        while (running) {
            try {
                slots.acquire();
                Job job = nextJob();
                if (job == null) {
                    slots.release();
                    continue;
                }
                dispatch(job);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                LOG.warn("dispatcher interrupted while running; continuing");
            } catch (Throwable t) {
                LOG.error("dispatcher error; continuing", t);
            }
        }
    }

    /** Waits for a job; returns null only when stopping. */
    private Job nextJob() {
        Job job = store.poll();
        while (job == null && running) {
            wake.awaitWork(() -> store.size() > 0 || !running);
            job = store.poll();
        }
        return job;
    }

    private void dispatch(Job job) {
        if (LOG.isInfoEnabled()) {
            LOG.info("scheduling {}", job.id());
        }
        counters.started.increment();
        inFlight.incrementAndGet();
        executor.execute(job).whenComplete((result, error) -> {
            inFlight.decrementAndGet();
            slots.release();
            if (error != null) {
                // The executor refused (shut down or full): the job is not lost, it goes back.
                String why = error instanceof ExecutorFullException ? error.getMessage() : String.valueOf(error);
                collector.finished(JobResult.failure(job, "not run: " + why, -1, 0));
            } else {
                collector.finished(result);
            }
        });
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

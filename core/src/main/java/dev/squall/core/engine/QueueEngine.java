package dev.squall.core.engine;

import dev.squall.core.Admission;
import dev.squall.core.EngineConfig;
import dev.squall.core.EngineStats;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobLog;
import dev.squall.core.JobStore;
import dev.squall.core.Workers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/** The engine: a store, workers that drain it, a dispatcher that wakes them, a collector. */
final class QueueEngine implements JobEngine {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");
    private static final Logger JOBS = LoggerFactory.getLogger("squall.jobs");

    private final EngineConfig config;
    private final JobStore store;
    private final Workers workers;
    private final WakeSignal wake = new WakeSignal();
    private final Counters counters = new Counters();
    private final JobLog schedulingLog;
    private final WorkerPool pool;
    private final Dispatcher dispatcher;
    private final Collector collector;
    private volatile boolean accepting = true;

    /** Counters shared by the engine's parts. */
    static final class Counters {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder started = new LongAdder();
        final LongAdder succeeded = new LongAdder();
        final LongAdder retried = new LongAdder();
        final LongAdder dead = new LongAdder();
    }

    QueueEngine(EngineConfig config, JobStore store, Workers workers) {
        this.config = config;
        this.store = store;
        this.workers = workers;
        this.schedulingLog = JobLog.of(JOBS, "scheduling", config.jobLogLimit());
        this.collector = new Collector(config.collectEvery(), store, wake, counters,
                JobLog.of(JOBS, "Collected job", config.jobLogLimit()));
        this.pool = new WorkerPool(store, workers, collector, counters, schedulingLog);
        this.dispatcher = new Dispatcher(store, pool, wake);
    }

    void start() {
        collector.start();
        pool.start();
        dispatcher.start();
        LOG.info("Consumer Started! ({} {} workers, collecting every {} ms)", workers.count(), workers.kind(),
                config.collectEvery().toMillis());
    }

    @Override
    public Admission submit(Job job) {
        if (!accepting) {
            counters.rejected.increment();
            return Admission.STOPPING;
        }
        if (!store.offer(job)) {
            counters.rejected.increment();
            return Admission.FULL;
        }
        counters.accepted.increment();
        wake.wake();
        return Admission.ACCEPTED;
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(counters.accepted.sum(), counters.rejected.sum(), store.size(), pool.running(),
                counters.started.sum(), counters.succeeded.sum(), counters.retried.sum(), counters.dead.sum());
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public void close() {
        // Fixed order: intake, dispatcher, workers (bounded by the grace), the collector, what workers hold.
        accepting = false;
        dispatcher.stop();
        pool.stop(System.nanoTime() + config.shutdownGrace().toNanos());
        collector.stop();
        schedulingLog.flush();
        try {
            workers.closer().close();
        } catch (Exception e) {
            LOG.warn("closing the {} workers failed: {}", workers.kind(), e.toString());
        }
        int left = store.size();
        if (left > 0) {
            LOG.warn("stopped with {} jobs still queued (the memory store does not keep them)", left);
        }
        LOG.info("engine stopped: {}", stats());
    }
}

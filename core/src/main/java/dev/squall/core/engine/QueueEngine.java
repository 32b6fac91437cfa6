package dev.squall.core.engine;

import dev.squall.core.Admission;
import dev.squall.core.EngineConfig;
import dev.squall.core.EngineStats;
import dev.squall.core.Job;
import dev.squall.core.JobEngine;
import dev.squall.core.JobExecutor;
import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/** The engine: a store, a dispatcher thread, an executor, a collector. */
final class QueueEngine implements JobEngine {
    private static final Logger LOG = LoggerFactory.getLogger("squall.engine");

    private final EngineConfig config;
    private final JobStore store;
    private final JobExecutor executor;
    private final WakeSignal wake = new WakeSignal(50_000_000L);
    private final Counters counters = new Counters();
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

    QueueEngine(EngineConfig config, JobStore store, JobExecutor executor) {
        this.config = config;
        this.store = store;
        this.executor = executor;
        this.collector = new Collector(config.collectEvery(), store, wake, counters);
        this.dispatcher = new Dispatcher(store, executor, Math.min(config.workers(), executor.parallelism()), wake, collector, counters);
    }

    void start() {
        collector.start();
        dispatcher.start();
        LOG.info("Consumer Started! ({} workers, collecting every {} ms)", dispatcher.slots(), config.collectEvery().toMillis());
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
        return new EngineStats(counters.accepted.sum(), counters.rejected.sum(), store.size(), dispatcher.running(),
                counters.started.sum(), counters.succeeded.sum(), counters.retried.sum(), counters.dead.sum());
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    @Override
    public void close() {
        accepting = false;
        dispatcher.stop();
        executor.close(config.shutdownGrace());
        collector.stop();
        int left = store.size();
        if (left > 0) {
            LOG.warn("stopped with {} jobs still queued", left);
        }
        LOG.info("engine stopped: {}", stats());
    }
}

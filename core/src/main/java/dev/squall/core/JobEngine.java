package dev.squall.core;

import dev.squall.core.engine.Engines;

/**
 * The producer-consumer engine, the article's last stage: accepted jobs wait in a {@link JobStore};
 * a bounded set of {@link Workers} runs them, woken by a dispatcher; a periodic collector gathers
 * finished attempts, logs them, and puts failed ones back until their attempts run out.
 *
 * <pre>{@code
 * try (JobEngine engine = JobEngine.start(config, JobStore.memory(100_000), Workers.platformThreads(20, runner))) {
 *     Admission a = engine.submit(Job.of("1", "sleep", "{\"job_id\":1}", 3));   // never blocks
 * }
 * }</pre>
 *
 * {@link #submit} is safe to call from an event loop: it neither blocks nor wakes a thread per job.
 */
public interface JobEngine extends AutoCloseable {

    /** Starts the workers, the dispatcher and the collector. The engine owns the workers and closes them. */
    static JobEngine start(EngineConfig config, JobStore store, Workers workers) {
        return Engines.start(config, store, workers);
    }

    /** Offers a job; returns at once whether it was kept. */
    Admission submit(Job job);

    EngineStats stats();

    EngineConfig config();

    /**
     * Stops in order: no new jobs, the dispatcher, running attempts (up to the shutdown grace), then
     * a last collection. Jobs still waiting are reported in the log.
     */
    @Override
    void close();
}

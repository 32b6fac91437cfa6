package dev.squall.core.engine;

import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.Workers;
import dev.squall.core.JobStore;

/**
 * Starts a {@link JobEngine}; the engine's classes stay package-private.
 *
 * <pre>{@code
 * try (JobEngine engine = Engines.start(EngineConfig.defaults(), store, Workers.platformThreads(20, runner))) { ... }
 * }</pre>
 */
public final class Engines {
    private Engines() {
    }

    /**
     * Recovers jobs a previous process left running, then starts the workers, the dispatcher, the
     * collector and housekeeping. The engine owns the store and the workers and closes them.
     */
    public static JobEngine start(EngineConfig config, JobStore store, Workers workers) {
        return start(config, store, workers, dev.squall.core.JobEvents.NONE);
    }

    /** The same, telling {@code events} what happens to jobs (metrics, live views). */
    public static JobEngine start(EngineConfig config, JobStore store, Workers workers, dev.squall.core.JobEvents events) {
        QueueEngine engine = new QueueEngine(config, store, workers, events);
        engine.start();
        return engine;
    }
}

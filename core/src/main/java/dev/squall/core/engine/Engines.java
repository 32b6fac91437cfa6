package dev.squall.core.engine;

import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.Workers;
import dev.squall.core.JobStore;

/** The factory behind {@link JobEngine#start}; the engine's classes stay package-private. */
public final class Engines {
    private Engines() {
    }

    public static JobEngine start(EngineConfig config, JobStore store, Workers workers) {
        return start(config, store, workers, dev.squall.core.JobEvents.NONE);
    }

    public static JobEngine start(EngineConfig config, JobStore store, Workers workers, dev.squall.core.JobEvents events) {
        QueueEngine engine = new QueueEngine(config, store, workers, events);
        engine.start();
        return engine;
    }
}
